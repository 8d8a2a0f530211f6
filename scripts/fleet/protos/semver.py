"""Semantic versions of the registry and the bump levels between them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class Bump(enum.IntEnum):
    """How much a version moves; ordered so that a larger bump satisfies a smaller need."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str, *, where: str = "version") -> Version:
        match = _SEMVER.match(text.strip())
        if match is None:
            raise FleetError(f"{where}: '{text.strip()}' is not a version like 1.4.0")
        return cls(*(int(part) for part in match.groups()))

    def bumped(self, bump: Bump) -> Version:
        if bump is Bump.MAJOR:
            return Version(self.major + 1, 0, 0)
        if bump is Bump.MINOR:
            return Version(self.major, self.minor + 1, 0)
        if bump is Bump.PATCH:
            return Version(self.major, self.minor, self.patch + 1)
        return self

    def bump_from(self, earlier: Version) -> Bump:
        """The bump that leads from `earlier` to this version (NONE when equal or older)."""
        if self.major != earlier.major:
            return Bump.MAJOR if self.major > earlier.major else Bump.NONE
        if self.minor != earlier.minor:
            return Bump.MINOR if self.minor > earlier.minor else Bump.NONE
        return Bump.PATCH if self.patch > earlier.patch else Bump.NONE

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def read_version(version_file: Path) -> Version:
    """The registry's current version, from its one VERSION file."""
    try:
        text = version_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise FleetError(f"{version_file.name}: cannot read: {exc.strerror}") from None
    return Version.parse(text, where=f"{version_file.parent.name}/{version_file.name}")


def write_version(version_file: Path, version: Version) -> None:
    version_file.write_text(f"{version}\n", encoding="utf-8")
