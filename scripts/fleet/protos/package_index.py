"""The local PEP 503 package index that `fleet protos publish` fills and pip installs from."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError


class AlreadyPublished(FleetError):
    """The index already holds this file name with other bytes."""


@dataclass(frozen=True)
class Published:
    """The outcome of publishing one file: where it is, and whether it was already there."""

    path: Path
    already_there: bool


def normalized(name: str) -> str:
    """PEP 503 project name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def simple_url(index_dir: Path) -> str:
    """The --index-url pip needs for this index."""
    return (index_dir / "simple").resolve().as_uri()


def publish_file(
    index_dir: Path, project: str, artifact: Path, *, requires_python: str
) -> Published:
    """Add `artifact` to the index; an existing version is never replaced by different bytes."""
    project_dir = index_dir / "simple" / normalized(project)
    with _locked(index_dir):
        project_dir.mkdir(parents=True, exist_ok=True)
        target = project_dir / artifact.name
        if target.exists():
            if _sha256(target) == _sha256(artifact):
                return Published(target, already_there=True)
            raise AlreadyPublished(
                f"{artifact.name} is already published with different contents; a published "
                "version never changes, so publish the change under a new version"
            )
        staged = target.with_suffix(".partial")
        staged.write_bytes(artifact.read_bytes())
        staged.replace(target)
        _write_project_page(project_dir, project, requires_python)
        _write_root_page(index_dir / "simple")
    return Published(target, already_there=False)


def published_files(index_dir: Path, project: str) -> list[Path]:
    project_dir = index_dir / "simple" / normalized(project)
    if not project_dir.is_dir():
        return []
    return sorted(path for path in project_dir.iterdir() if path.suffix in {".whl", ".tgz"})


def _write_project_page(project_dir: Path, project: str, requires_python: str) -> None:
    links = "".join(
        f'    <a href="{html.escape(path.name)}#sha256={_sha256(path)}" '
        f'data-requires-python="{html.escape(requires_python)}">{html.escape(path.name)}</a><br>\n'
        for path in sorted(project_dir.glob("*.whl"))
    )
    _write_page(project_dir / "index.html", f"Links for {project}", links)


def _write_root_page(simple_dir: Path) -> None:
    links = "".join(
        f'    <a href="{html.escape(path.name)}/">{html.escape(path.name)}</a><br>\n'
        for path in sorted(simple_dir.iterdir())
        if path.is_dir()
    )
    _write_page(simple_dir / "index.html", "Simple index", links)


def _write_page(path: Path, title: str, body: str) -> None:
    text = (
        '<!DOCTYPE html>\n<html>\n  <head><meta name="pypi:repository-version" content="1.0">'
        f"<title>{html.escape(title)}</title></head>\n  <body>\n{body}  </body>\n</html>\n"
    )
    staged = path.with_suffix(".partial")
    staged.write_text(text, encoding="utf-8")
    staged.replace(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def _locked(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
