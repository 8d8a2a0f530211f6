"""The multi-repo layout: each service as its own git repository, next to the template's source."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.template_ops.git import commit_everything, git
from fleet.template_ops.service_tree import copy_service_files
from fleet.template_ops.stamp_record import is_stamped, read_stamp, record_source

PLATFORM_REPOSITORY = "knowledge-platform"


@dataclass(frozen=True)
class ExportedRepository:
    name: str
    path: Path
    template_version: str | None


def export_platform(root: Path, target: Path) -> Path:
    """Clone the platform repository (the template's source, with its release tags) into target."""
    clone = target / PLATFORM_REPOSITORY
    _refuse_existing(clone)
    git("clone", "--quiet", "--no-hardlinks", str(root), str(clone), cwd=target)
    git("remote", "remove", "origin", cwd=clone)
    return clone


def export_service(
    root: Path, name: str, service_dir: Path, target: Path, template_source: str
) -> ExportedRepository:
    """Materialise one service as `target/name`, a git repository whose template is reachable."""
    repository = target / name
    _refuse_existing(repository)
    copy_service_files(service_dir, repository)
    version = None
    if is_stamped(repository):
        record_source(repository, template_source)
        version = read_stamp(repository).version
    head = git("rev-parse", "--short", "HEAD", cwd=root).strip()
    commit_everything(repository, f"{name}: exported from the knowledge platform at {head}")
    return ExportedRepository(name=name, path=repository, template_version=version)


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise FleetError(f"{path} already exists; export into an empty directory")
