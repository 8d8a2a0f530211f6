"""A real Apache Kafka broker in KRaft mode on loopback, its jars from Maven Central."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.infra.kafka_sasl import SASL_SSL_LISTENER, SaslSslListener, new_sasl_ssl_listener
from fleet.infra.net import LOOPBACK, free_port, wait_for_port
from fleet.infra.processes import stop_process, tail
from fleet.paths import cache_dir

KAFKA_VERSION = "3.9.1"
SCALA_VERSION = "2.13"
STARTUP_TIMEOUT = 90.0

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>knowledge.fleet</groupId>
  <artifactId>kafka-broker-runtime</artifactId>
  <version>{kafka}</version>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_{scala}</artifactId>
      <version>{kafka}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
"""

_LOG4J = """log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={logfile}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
"""


def broker_jars() -> Path:
    """The broker's classpath directory, resolved once through Maven and cached per user."""
    target = cache_dir() / f"kafka-{SCALA_VERSION}-{KAFKA_VERSION}"
    marker = target / ".complete"
    if marker.exists():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise FleetError(
            "Maven (mvn) is needed to fetch the Kafka broker jars, and it is not installed"
        )
    with tempfile.TemporaryDirectory(prefix="fleet-kafka-pom-") as scratch:
        pom = Path(scratch) / "pom.xml"
        pom.write_text(_POM.format(kafka=KAFKA_VERSION, scala=SCALA_VERSION))
        result = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={target}",
                "-DincludeScope=runtime",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        lines = (result.stdout + result.stderr).strip().splitlines()
        raise FleetError(
            f"fetching Kafka {KAFKA_VERSION} jars failed: {lines[-1] if lines else '?'}"
        )
    marker.touch()
    return target


@dataclass
class KafkaBroker:
    """One combined broker+controller node; `bootstrap` is what clients connect to.

    With `sasl_ssl`, the broker also listens there with SCRAM-SHA-512 over TLS.
    """

    workdir: Path
    port: int
    controller_port: int
    keep_data: bool = False
    sasl_ssl: SaslSslListener | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def logfile(self) -> Path:
        return self.workdir / "server.log"

    def configure(self) -> Path:
        properties = self.workdir / "server.properties"
        client_listeners = [f"PLAINTEXT://{LOOPBACK}:{self.port}"]
        protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"]
        if self.sasl_ssl is not None:
            client_listeners.append(f"{SASL_SSL_LISTENER}://{self.sasl_ssl.bootstrap}")
            protocols.append(f"{SASL_SSL_LISTENER}:SASL_SSL")
        clients = ",".join(client_listeners)
        properties.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@{LOOPBACK}:{self.controller_port}",
                    f"listeners={clients},CONTROLLER://{LOOPBACK}:{self.controller_port}",
                    f"advertised.listeners={clients}",
                    "controller.listener.names=CONTROLLER",
                    f"listener.security.protocol.map={','.join(protocols)}",
                    f"log.dirs={self.workdir / 'data'}",
                    "num.partitions=1",
                    "auto.create.topics.enable=true",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=10",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    *(self.sasl_ssl.properties() if self.sasl_ssl is not None else []),
                    "",
                ]
            )
        )
        (self.workdir / "log4j.properties").write_text(_LOG4J.format(logfile=self.logfile))
        return properties

    def cluster_id(self) -> str:
        """The id the data directory was formatted with (kept data); a new one otherwise."""
        meta = self.workdir / "data" / "meta.properties"
        if meta.exists():
            for line in meta.read_text().splitlines():
                if line.startswith("cluster.id="):
                    return line.removeprefix("cluster.id=").strip()
        return uuid.uuid4().hex[:22]

    def start(self) -> None:
        java = shutil.which("java")
        if java is None:
            raise FleetError(
                "Java 17 is needed to run the Kafka broker, and `java` is not installed"
            )
        classpath = f"{broker_jars()}/*"
        properties = self.configure()
        env = {**os.environ, "KAFKA_HEAP_OPTS": ""}
        base = [
            java,
            "-Xms256m",
            "-Xmx768m",
            "-XX:+UseG1GC",
            # C1 only: a broker on loopback for tests and `up` needs no peak JIT, and it starts in
            # about half the time (side by side on a busy 2-core machine: 3.6-4.3 s, 6.5-17.7 s).
            "-XX:TieredStopAtLevel=1",
            f"-Dlog4j.configuration=file:{self.workdir / 'log4j.properties'}",
            "-cp",
            classpath,
        ]
        # The SCRAM user goes into the metadata log at format time: it exists before any client
        # connects, where one created through the admin API would race the first test.
        scram = ["--add-scram", self.sasl_ssl.scram_credential()] if self.sasl_ssl else []
        formatted = subprocess.run(
            [
                *base,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                self.cluster_id(),
                "-c",
                str(properties),
                "--ignore-formatted",
                *scram,
            ],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        if formatted.returncode != 0:
            raise FleetError(f"formatting Kafka storage failed: {formatted.stderr.strip()[-300:]}")
        with open(self.workdir / "stdout.log", "wb") as stdout:
            self.process = subprocess.Popen(
                [*base, "kafka.Kafka", str(properties)],
                stdout=stdout,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self._wait_until_started()

    def _wait_until_started(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise FleetError(f"Kafka broker exited at start: {tail(self.logfile, 5)}")
            if self._log_says_started() and wait_for_port(self.port, timeout=5):
                return
            time.sleep(0.2)
        raise FleetError(
            f"Kafka broker did not start in {STARTUP_TIMEOUT:.0f}s: {tail(self.logfile, 5)}"
        )

    def _log_says_started(self) -> bool:
        return self.logfile.exists() and "Kafka Server started" in self.logfile.read_text(
            errors="replace"
        )

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, grace=20)
        if not self.keep_data:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_kafka(
    workdir: Path | None = None, port: int | None = None, *, sasl_ssl: bool = False
) -> KafkaBroker:
    """Start a single-node broker on loopback.

    Without arguments: a fresh KRaft log directory on free ports, deleted at stop (tests). With a
    `workdir` and `port`: the directory is formatted once and its data kept across runs (`up`).
    `sasl_ssl` adds the SCRAM-SHA-512 over TLS listener, with a certificate and user of its own
    (for fresh directories: the user is written when the storage is formatted).
    """
    keep_data = workdir is not None
    if workdir is None:
        workdir = Path(tempfile.mkdtemp(prefix="fleet-kafka-"))
    workdir.mkdir(parents=True, exist_ok=True)
    broker = KafkaBroker(
        workdir=workdir,
        port=port or free_port(),
        controller_port=free_port(),
        keep_data=keep_data,
        sasl_ssl=new_sasl_ssl_listener(workdir) if sasl_ssl else None,
    )
    try:
        broker.start()
    except BaseException:
        broker.stop()
        raise
    return broker
