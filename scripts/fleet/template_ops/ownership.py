"""The line between template-owned files (regenerated on update) and service-owned files.

copier.yml's `_skip_if_exists` lists the service-owned files: written once, never updated. Every
other rendered file is template-owned, and a local edit to it is content drift.
"""

from __future__ import annotations

from pathlib import Path

import pathspec

from fleet.errors import FleetError
from fleet.template_ops.stamp_record import ANSWERS_FILE
from fleet.template_ops.template_config import TEMPLATE_CONFIG, template_config


class FileOwnership:
    """Tells template-owned from service-owned paths (relative to a service's root)."""

    def __init__(self, service_owned_patterns: list[str]) -> None:
        self._service_owned = pathspec.PathSpec.from_lines("gitwildmatch", service_owned_patterns)

    def is_template_owned(self, relative_path: str) -> bool:
        if relative_path == ANSWERS_FILE:
            return False
        return not self._service_owned.match_file(relative_path)


def ownership_at_release(root: Path, version: str) -> FileOwnership:
    """The ownership line as drawn by the template's copier.yml at release `version`."""
    patterns = template_config(root, version).get("_skip_if_exists", [])
    if not isinstance(patterns, list) or not all(isinstance(item, str) for item in patterns):
        raise FleetError(
            f"{TEMPLATE_CONFIG} at {version}: _skip_if_exists must be a list of patterns"
        )
    return FileOwnership(patterns)
