"""The repository's test suites: each part's tests run from the part's own directory.

A part's tests run with its own pytest configuration (a stamped service's lives in its tox.ini)
and its own conftest, exactly as they do in that part's own CI, so parts never shadow each other.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Suite:
    name: str
    directory: Path

    @property
    def tests(self) -> Path:
        return self.directory / "tests"


@dataclass(frozen=True)
class SuiteCounts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __add__(self, other: SuiteCounts) -> SuiteCounts:
        return SuiteCounts(
            self.passed + other.passed, self.failed + other.failed, self.skipped + other.skipped
        )


def discover_suites(root: Path) -> list[Suite]:
    """The root's own tests, each top-level part's, then each stamped service's."""
    suites = [Suite("platform", root)]
    for tests in sorted(root.glob("*/tests")):
        if tests.is_dir() and tests.parent != root and tests.parent.name != "services":
            suites.append(Suite(tests.parent.name, tests.parent))
    for tests in sorted(root.glob("services/*/tests")):
        if tests.is_dir():
            suites.append(Suite(tests.parent.name, tests.parent))
    return suites


def read_junit_counts(report: Path) -> SuiteCounts:
    """Counts from a pytest JUnit XML report; a missing report counts as one failure."""
    try:
        tree = ElementTree.parse(report)
    except (OSError, ElementTree.ParseError):
        return SuiteCounts(failed=1)
    total = SuiteCounts()
    for suite in tree.getroot().iter("testsuite"):
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        total = total + SuiteCounts(tests - failed - skipped, failed, skipped)
    return total
