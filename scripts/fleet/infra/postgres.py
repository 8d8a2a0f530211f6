"""A throwaway PostgreSQL cluster on loopback, from the machine's Debian packages."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.infra.net import LOOPBACK, free_port
from fleet.infra.processes import tail

SERVER_USER = "postgres"
"""initdb refuses to run as root; as root the cluster runs as the Debian packages' own user."""


def postgres_bindir() -> Path:
    """The directory with initdb/pg_ctl of the newest installed PostgreSQL."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise FleetError(
        "PostgreSQL server is not installed (no initdb found); "
        "`make test` installs it, or run: apt-get install postgresql"
    )


@dataclass
class PostgresCluster:
    """A running cluster; `url` is what tests connect to."""

    workdir: Path
    bindir: Path
    port: int
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{LOOPBACK}:{self.port}/postgres"

    @property
    def datadir(self) -> Path:
        return self.workdir / "data"

    @property
    def logfile(self) -> Path:
        return self.workdir / "postgres.log"

    def _command(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        return [*prefix, *args]

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.workdir}",
                f"-c listen_addresses={LOOPBACK}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=300",
            ]
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.logfile),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            subprocess.run(
                self._command(
                    str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"
                ),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _run(self, *args: str) -> None:
        result = subprocess.run(self._command(*args), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            last = detail[-1] if detail else f"exit code {result.returncode}"
            raise FleetError(
                f"PostgreSQL failed ({Path(args[0]).name}): {last}; log: {tail(self.logfile, 5)}"
            )


def start_postgres() -> PostgresCluster:
    """initdb + pg_ctl start in a fresh temporary directory on a free loopback port."""
    bindir = postgres_bindir()
    run_as = None
    workdir = Path(tempfile.mkdtemp(prefix="fleet-postgres-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise FleetError(
                f"running as root, and there is no '{SERVER_USER}' user to run PostgreSQL as"
            ) from None
        os.chown(workdir, account.pw_uid, account.pw_gid)
        run_as = SERVER_USER
    cluster = PostgresCluster(workdir=workdir, bindir=bindir, port=free_port(), run_as=run_as)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster
