"""Which services a local run starts: all of repos.yaml, or those named with --only."""

from __future__ import annotations

from pathlib import Path

from fleet.errors import FleetError
from fleet.manifest import Manifest, Service

ANSWERS_FILE = ".copier-answers.yml"


def select_services(manifest: Manifest, only: str | None) -> list[Service]:
    if not only:
        return list(manifest.services)
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    known = {service.name for service in manifest.services}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise FleetError(
            f"--only names {', '.join(unknown)}, not in repos.yaml (known: {', '.join(sorted(known))})"
        )
    return [service for service in manifest.services if service.name in wanted]


def is_stamped(root: Path, service: Service) -> bool:
    """A service exists once the template has stamped its repository."""
    return (root / service.path / ANSWERS_FILE).is_file()
