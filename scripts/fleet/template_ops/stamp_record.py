"""What copier recorded when it stamped a service: template release, source and answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fleet.errors import FleetError

ANSWERS_FILE = ".copier-answers.yml"
_SOURCE_LINE = re.compile(r"^_src_path: .*$", re.MULTILINE)


@dataclass(frozen=True)
class StampRecord:
    """A service's `.copier-answers.yml`: the release it is on and the answers it was given."""

    version: str
    source: str
    answers: dict[str, Any]


def is_stamped(service_dir: Path) -> bool:
    return (service_dir / ANSWERS_FILE).is_file()


def read_stamp(service_dir: Path) -> StampRecord:
    """Read the record; a FleetError names the service directory when it is missing or broken."""
    path = service_dir / ANSWERS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise FleetError(
            f"{service_dir.name} is not stamped from the template (no {ANSWERS_FILE})"
        ) from None
    except yaml.YAMLError as exc:
        raise FleetError(f"{service_dir.name}/{ANSWERS_FILE} is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not data.get("_commit") or not data.get("_src_path"):
        raise FleetError(f"{service_dir.name}/{ANSWERS_FILE} lacks _commit or _src_path")
    answers = {key: value for key, value in data.items() if not key.startswith("_")}
    return StampRecord(version=str(data["_commit"]), source=str(data["_src_path"]), answers=answers)


def record_source(service_dir: Path, source: str) -> None:
    """Point the record at the template source `copier update` should use from this directory."""
    path = service_dir / ANSWERS_FILE
    text = path.read_text(encoding="utf-8")
    quoted = yaml.safe_dump(source, default_style=None, width=1_000).removesuffix("\n...\n").strip()
    updated, count = _SOURCE_LINE.subn(f"_src_path: {quoted}", text, count=1)
    if count != 1:
        raise FleetError(f"{service_dir.name}/{ANSWERS_FILE} has no _src_path line")
    path.write_text(updated, encoding="utf-8")
