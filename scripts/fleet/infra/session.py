"""Run a command with real PostgreSQL and Kafka started for it, and stopped after it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import FrameType

from fleet.console import err
from fleet.infra.kafka import KafkaBroker, start_kafka
from fleet.infra.postgres import PostgresCluster, start_postgres

POSTGRES_URL_ENV = "KNOWLEDGE_TEST_POSTGRES_URL"
KAFKA_BOOTSTRAP_ENV = "KNOWLEDGE_TEST_KAFKA_BOOTSTRAP"
KAFKA_SASL_SSL_BOOTSTRAP_ENV = "KNOWLEDGE_TEST_KAFKA_SASL_SSL_BOOTSTRAP"
KAFKA_CA_FILE_ENV = "KNOWLEDGE_TEST_KAFKA_CA_FILE"
KAFKA_SASL_USERNAME_ENV = "KNOWLEDGE_TEST_KAFKA_SASL_USERNAME"
KAFKA_SASL_PASSWORD_ENV = "KNOWLEDGE_TEST_KAFKA_SASL_PASSWORD"


@dataclass
class TestInfrastructure:
    postgres: PostgresCluster
    kafka: KafkaBroker

    def environment(self) -> dict[str, str]:
        """The variables tests read: the kit's pytest plugin turns them into fixtures."""
        variables = {POSTGRES_URL_ENV: self.postgres.url, KAFKA_BOOTSTRAP_ENV: self.kafka.bootstrap}
        secure = self.kafka.sasl_ssl
        if secure is not None:
            variables |= {
                KAFKA_SASL_SSL_BOOTSTRAP_ENV: secure.bootstrap,
                KAFKA_CA_FILE_ENV: str(secure.ca_file),
                KAFKA_SASL_USERNAME_ENV: secure.username,
                KAFKA_SASL_PASSWORD_ENV: secure.password,
            }
        return variables


@contextlib.contextmanager
def test_infrastructure() -> Iterator[TestInfrastructure]:
    """Start PostgreSQL and Kafka (PLAINTEXT and SASL_SSL listeners) side by side; stop both
    however the block ends."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        postgres_future = pool.submit(start_postgres)
        kafka_future = pool.submit(start_kafka, sasl_ssl=True)
        started: list[PostgresCluster | KafkaBroker] = []
        failure: BaseException | None = None
        for future in (postgres_future, kafka_future):
            try:
                started.append(future.result())
            except BaseException as exc:
                failure = failure or exc
    if failure is not None:
        for part in started:
            part.stop()
        raise failure
    infrastructure = TestInfrastructure(
        postgres=postgres_future.result(), kafka=kafka_future.result()
    )
    try:
        yield infrastructure
    finally:
        infrastructure.kafka.stop()
        infrastructure.postgres.stop()


def run_with_infrastructure(command: list[str]) -> int:
    """Run `command` with the infrastructure's URLs in its environment; return its exit code."""
    with terminate_as_interrupt(), test_infrastructure() as infrastructure:
        env = {**os.environ, **infrastructure.environment()}
        err.print(
            f"[dim]PostgreSQL {infrastructure.postgres.url} · Kafka {infrastructure.kafka.bootstrap}[/]"
        )
        child = subprocess.Popen(command, env=env)
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)
            return child.wait()


@contextlib.contextmanager
def terminate_as_interrupt(*signals: signal.Signals) -> Iterator[None]:
    """Treat SIGTERM (or the given signals) like Ctrl-C, so `finally` blocks stop what runs."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in signals or (signal.SIGTERM,)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
