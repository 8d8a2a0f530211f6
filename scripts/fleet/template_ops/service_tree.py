"""A service directory's files, copied into (or back from) a git repository of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from fleet.template_ops.git import commit_everything, git, listed_files


def service_files(service_dir: Path) -> list[str]:
    """The service's files, relative to it, as git sees them (ignored files left out)."""
    top = Path(git("rev-parse", "--show-toplevel", cwd=service_dir).strip())
    prefix = service_dir.resolve().relative_to(top.resolve()).as_posix()
    if prefix == ".":
        return listed_files(top)
    return [name[len(prefix) + 1 :] for name in listed_files(top, prefix)]


def copy_service_files(service_dir: Path, destination: Path) -> None:
    """Copy the service's files (not its ignored ones) into a new directory."""
    destination.mkdir(parents=True)
    for name in service_files(service_dir):
        _copy_file(service_dir / name, destination / name)


def copy_service_into_repository(service_dir: Path, repository: Path, message: str) -> None:
    """Materialise the service as its own git repository with one commit of all its files."""
    copy_service_files(service_dir, repository)
    commit_everything(repository, message)


def replace_service_files(service_dir: Path, updated_checkout: Path) -> list[str]:
    """Make `service_dir` hold exactly the checkout's files; return the paths that changed."""
    before = set(service_files(service_dir))
    after = set(listed_files(updated_checkout))
    changed: list[str] = []
    for name in sorted(after):
        source, target = updated_checkout / name, service_dir / name
        if not target.is_file() or target.read_bytes() != source.read_bytes():
            _copy_file(source, target)
            changed.append(name)
    for name in sorted(before - after):
        (service_dir / name).unlink(missing_ok=True)
        changed.append(name)
    return changed


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
