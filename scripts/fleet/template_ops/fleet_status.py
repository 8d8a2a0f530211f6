"""Where each service stands: template release, protos pin, content drift, uncommitted work."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fleet.errors import FleetError
from fleet.manifest import Service
from fleet.template_ops.drift import content_drift
from fleet.template_ops.git import uncommitted_paths
from fleet.template_ops.package_index import (
    PROTOS_DISTRIBUTION,
    pinned_requirement,
    published_versions,
)
from fleet.template_ops.stamp_record import is_stamped, read_stamp


@dataclass(frozen=True)
class ServiceStatus:
    """One row of `fleet status`; None means "not known" (not stamped, nothing published)."""

    service: str
    stamped: bool
    template_version: str | None
    latest_template: str
    protos_pin: str | None
    latest_protos: str | None
    protos_pin_admits_latest: bool | None
    content_drift: list[str] | None
    uncommitted: list[str]
    problem: str | None = None

    @property
    def template_behind(self) -> bool:
        return self.stamped and self.template_version != self.latest_template

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "template_behind": self.template_behind}


def service_status(root: Path, service: Service, latest_template: str) -> ServiceStatus:
    service_dir = root / service.path
    stamped = is_stamped(service_dir)
    requirement = pinned_requirement(service_dir, PROTOS_DISTRIBUTION)
    published = published_versions(root, PROTOS_DISTRIBUTION)
    latest_protos = published[-1] if published else None
    drift: list[str] | None = []
    problem = None
    if stamped:
        try:
            drift = content_drift(root, service_dir)
        except FleetError as cannot_tell:
            drift, problem = None, str(cannot_tell)
    admits = (
        requirement.specifier.contains(latest_protos, prereleases=True)
        if requirement is not None and latest_protos is not None
        else None
    )
    return ServiceStatus(
        service=service.name,
        stamped=stamped,
        template_version=read_stamp(service_dir).version if stamped else None,
        latest_template=latest_template,
        protos_pin=str(requirement.specifier) if requirement is not None else None,
        latest_protos=str(latest_protos) if latest_protos is not None else None,
        protos_pin_admits_latest=admits,
        content_drift=drift,
        uncommitted=uncommitted_paths(root, service.path) if service_dir.is_dir() else [],
        problem=problem,
    )
