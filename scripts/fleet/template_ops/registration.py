"""Comment-preserving edits of repos.yaml: register a new service, record its template release."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from fleet.errors import FleetError
from fleet.located_yaml import load_located_yaml
from fleet.manifest import Manifest, parse_manifest
from fleet.paths import MANIFEST_NAME
from fleet.topic_wiring import topic_wiring_problems
from fleet.topics import load_topics


def register_service(root: Path, entry: dict[str, Any]) -> None:
    """Append `entry` to the manifest's services, keeping every existing line and comment."""
    lines = ["", f"  - name: {_scalar(entry['name'])}"]
    for key, value in entry.items():
        if key != "name":
            lines.append(f"    {key}: {_scalar(value)}")
    addition = "\n".join(lines) + "\n"

    def append(text: str) -> str:
        return text.rstrip("\n") + "\n" + addition

    _rewrite_manifest(root, append)


def record_template_version(root: Path, service: str, version: str) -> None:
    """Set `template_version` of one service, in place (added after `owner` when missing)."""
    document = load_located_yaml(root / MANIFEST_NAME)
    index = next(
        (i for i, item in enumerate(document.data["services"]) if item.get("name") == service), None
    )
    if index is None:
        raise FleetError(f"{MANIFEST_NAME} has no service named '{service}'")
    existing = document.lines.get(("services", index, "template_version"))
    anchor = document.lines.get(("services", index, "owner"))
    if existing is None and anchor is None:
        raise FleetError(f"{MANIFEST_NAME}: service '{service}' has no owner line to follow")

    def set_version(text: str) -> str:
        lines = text.split("\n")
        if existing is not None:
            head, _, _ = lines[existing - 1].partition("template_version:")
            lines[existing - 1] = f"{head}template_version: {version}"
        elif anchor is not None:
            indent = lines[anchor - 1][: len(lines[anchor - 1]) - len(lines[anchor - 1].lstrip())]
            indent = indent.replace("-", " ")
            lines.insert(anchor, f"{indent}template_version: {version}")
        return "\n".join(lines)

    _rewrite_manifest(root, set_version)


def _rewrite_manifest(root: Path, edit: Callable[[str], str]) -> Manifest:
    """Apply `edit` to repos.yaml's text; keep the result only if the fleet stays consistent."""
    path = root / MANIFEST_NAME
    candidate = path.with_name(f".{MANIFEST_NAME}.{os.getpid()}.tmp")
    candidate.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    try:
        document = load_located_yaml(candidate)
        document.path = path
        manifest = parse_manifest(document)
        problems = topic_wiring_problems(manifest, load_topics(root))
        if problems:
            raise FleetError(f"{MANIFEST_NAME}: {problems[0]}")
        os.replace(candidate, path)
    finally:
        candidate.unlink(missing_ok=True)
    return manifest


def _scalar(value: Any) -> str:
    """`value` as inline YAML: plain where that reads back the same, quoted or flow otherwise."""
    if isinstance(value, dict | list):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    text = yaml.safe_dump(value, width=10_000).strip().removesuffix("\n...").strip()
    return text


def service_entry(
    answers: dict[str, Any], path: str, version: str, metrics_port: int
) -> dict[str, Any]:
    """The manifest entry of a freshly stamped service, from its recorded answers; the metrics
    port is the fleet's choice (not a template question), needed on the cluster."""
    ports: dict[str, int] = {"grpc": int(answers["grpc_port"])}
    if answers.get("websocket"):
        ports["websocket"] = int(answers["websocket_port"])
    ports["metrics"] = metrics_port
    entry: dict[str, Any] = {
        "name": answers["service_name"],
        "path": path,
        "description": answers["description"],
        "owner": answers["owner"],
        "template_version": version,
        "ports": ports,
    }
    if answers.get("database"):
        entry["database"] = str(answers["service_name"]).removeprefix("ms_")
    topics = {
        kind: list(answers.get(key) or [])
        for kind, key in (("produces", "topics_produced"), ("consumes", "topics_consumed"))
    }
    if any(topics.values()):
        entry["topics"] = {kind: names for kind, names in topics.items() if names}
    return entry
