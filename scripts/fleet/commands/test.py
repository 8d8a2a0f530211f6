"""`fleet test`: every test of every part of the repository, on real PostgreSQL and Kafka."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
from rich.table import Table

from fleet.console import err, out
from fleet.infra.session import test_infrastructure
from fleet.paths import find_repo_root
from fleet.test_suites import Suite, SuiteCounts, discover_suites, read_junit_counts

NO_TESTS_COLLECTED = 5
TEST_TIMEOUT_SECONDS = 600
"""Longer than any test takes on two busy cores (the slowest, the event fault test, ~2 min)."""


@click.command("test", context_settings={"ignore_unknown_options": True})
@click.option("--suite", "only", multiple=True, help="Run only these suites (repeatable).")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def run_tests(only: tuple[str, ...], pytest_args: tuple[str, ...]) -> int:
    """Start PostgreSQL and Kafka, run every suite (extra arguments go to pytest), stop both."""
    root = find_repo_root()
    suites = discover_suites(root)
    if only:
        known = {suite.name for suite in suites}
        unknown = sorted(set(only) - known)
        if unknown:
            raise click.BadParameter(
                f"no suite named {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                param_hint="--suite",
            )
        suites = [suite for suite in suites if suite.name in only]
    workers = os.environ.get("FLEET_TEST_WORKERS", "2")
    # A test that hangs fails with its stack after this many seconds, and the run goes on.
    timeout = os.environ.get("FLEET_TEST_TIMEOUT", str(TEST_TIMEOUT_SECONDS))
    results: list[tuple[Suite, int, SuiteCounts, float]] = []
    with test_infrastructure() as infrastructure, tempfile.TemporaryDirectory() as reports:
        # Stamped services default to SQLite for a quick local `pytest`; the platform's run uses
        # the production database, as each service's own CI (tox -e postgresql) does.
        env = {
            "KNOWLEDGE_TEST_DATABASE": "postgresql",
            **os.environ,
            **infrastructure.environment(),
        }
        for suite in suites:
            err.rule(f"{suite.name} ({suite.tests.relative_to(root)})")
            report = Path(reports) / f"{suite.name}.xml"
            started = time.monotonic()
            code = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-n",
                    workers,
                    f"--timeout={timeout}",
                    f"--junitxml={report}",
                    "tests",
                    *pytest_args,
                ],
                cwd=suite.directory,
                env=env,
                check=False,
            ).returncode
            results.append((suite, code, read_junit_counts(report), time.monotonic() - started))
    return _report(results)


def _report(results: list[tuple[Suite, int, SuiteCounts, float]]) -> int:
    table = Table("suite", "result", "passed", "failed", "skipped", "seconds", title="fleet test")
    total = SuiteCounts()
    failed_suites = 0
    for suite, code, counts, seconds in results:
        ok = code == 0
        failed_suites += not ok
        result = "ok" if ok else ("no tests" if code == NO_TESTS_COLLECTED else f"exit {code}")
        table.add_row(
            suite.name,
            result,
            str(counts.passed),
            str(counts.failed),
            str(counts.skipped),
            f"{seconds:.0f}",
        )
        total = total + counts
    out.print(table)
    # One closing line in the plain form any CI reads, for all suites together.
    out.print(
        f"fleet: {total.passed} passed, {total.failed} failed, {total.skipped} skipped",
        markup=False,
    )
    return 1 if failed_suites else 0


command = run_tests
