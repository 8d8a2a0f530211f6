"""Updating one stamped service to a newer template release, refusing to leave conflicts behind."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from fleet.errors import FleetError
from fleet.template_ops.git import git, listed_files, uncommitted_paths
from fleet.template_ops.ownership import ownership_at_release
from fleet.template_ops.releases import RELEASE_TAG, check_stamped_version, release_key
from fleet.template_ops.rendering import update_checkout
from fleet.template_ops.service_tree import copy_service_into_repository, replace_service_files
from fleet.template_ops.stamp_record import read_stamp, record_source

CONFLICT_MARKERS = (b"<<<<<<< before updating", b">>>>>>> after updating")


class UpdateState(Enum):
    UPDATED = "updated"
    CURRENT = "already current"
    CONFLICT = "conflict"
    DIRTY = "uncommitted changes"
    FAILED = "failed"


@dataclass(frozen=True)
class UpdateOutcome:
    """What happened to one service; `files` are the changed or the conflicting paths."""

    service: str
    from_version: str
    to_version: str
    state: UpdateState
    files: list[str] = field(default_factory=list)
    problem: str = ""

    @property
    def failed(self) -> bool:
        return self.state in (UpdateState.CONFLICT, UpdateState.DIRTY, UpdateState.FAILED)


def update_service(root: Path, service: str, service_dir: Path, target: str) -> UpdateOutcome:
    """Replay the template's change from the service's release to `target`.

    The update runs in a private git checkout of the service, so copier never touches the
    platform repository's index; the result is copied back only when it has no conflict.
    """
    record = read_stamp(service_dir)
    # A service stamped from an untagged commit has no release to compare; copier updates it.
    if RELEASE_TAG.match(record.version) and release_key(record.version) >= release_key(target):
        return UpdateOutcome(service, record.version, target, UpdateState.CURRENT)
    dirty = uncommitted_paths(root, service_dir.relative_to(root).as_posix())
    if dirty:
        return UpdateOutcome(service, record.version, target, UpdateState.DIRTY, dirty)
    try:
        check_stamped_version(root, service, record.version)
        return _update_in_checkout(root, service, service_dir, record.version, target)
    except FleetError as problem:
        return UpdateOutcome(
            service, record.version, target, UpdateState.FAILED, problem=str(problem)
        )


def _update_in_checkout(
    root: Path, service: str, service_dir: Path, version: str, target: str
) -> UpdateOutcome:
    with tempfile.TemporaryDirectory(prefix="fleet-update-") as scratch:
        checkout = Path(scratch) / service
        copy_service_into_repository(service_dir, checkout, f"{service} at template {version}")
        record_source(checkout, str(root))
        git(
            "commit",
            "--quiet",
            "--all",
            "--allow-empty",
            "--no-verify",
            "-m",
            "use the local template",
            cwd=checkout,
        )
        before = set(listed_files(checkout))
        update_checkout(checkout, target)
        # copier recreates skipped files a service deleted; service-owned means never touched.
        ownership = ownership_at_release(root, target)
        for name in set(listed_files(checkout)) - before:
            if not ownership.is_template_owned(name):
                (checkout / name).unlink()
        conflicts = conflicted_files(checkout)
        if conflicts:
            return UpdateOutcome(service, version, target, UpdateState.CONFLICT, conflicts)
        record_source(checkout, os.path.relpath(root, service_dir))
        changed = replace_service_files(service_dir, checkout)
    return UpdateOutcome(service, version, target, UpdateState.UPDATED, changed)


def conflicted_files(checkout: Path) -> list[str]:
    """Files copier could not merge: unmerged index entries, rejects, or conflict markers."""
    unmerged = {line.split("\t", 1)[1] for line in git("ls-files", "-u", cwd=checkout).splitlines()}
    for path in checkout.rglob("*"):
        if ".git" in path.relative_to(checkout).parts or not path.is_file():
            continue
        name = path.relative_to(checkout).as_posix()
        if name.endswith(".rej"):
            unmerged.add(name.removesuffix(".rej"))
        elif any(marker in path.read_bytes() for marker in CONFLICT_MARKERS):
            unmerged.add(name)
    return sorted(unmerged)
