"""`fleet test`: every test of every part of the repository, on real PostgreSQL and Kafka."""

from __future__ import annotations

import os
import sys

import click

from fleet.infra.session import run_with_infrastructure
from fleet.paths import find_repo_root


@click.command("test", context_settings={"ignore_unknown_options": True})
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def run_tests(pytest_args: tuple[str, ...]) -> int:
    """Start PostgreSQL and Kafka, run the whole suite (extra arguments go to pytest), stop both."""
    root = find_repo_root()
    os.chdir(root)
    workers = os.environ.get("FLEET_TEST_WORKERS", "auto")
    command = [sys.executable, "-m", "pytest", "-n", workers, "--dist", "loadgroup", *pytest_args]
    return run_with_infrastructure(command)


command = run_tests
