"""Helpers for tests that break a copy of the charts on purpose."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit a copied file, failing loudly if the text to replace is not there exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def edit_service(root: Path, name: str, **changes: object) -> None:
    """Change one service's entry in a copied repos.yaml: a value sets the key, None removes it
    (comments are lost; the entries are what the charts read)."""
    manifest = root / "repos.yaml"
    document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    [service] = [entry for entry in document["services"] if entry["name"] == name]
    for key, value in changes.items():
        if value is None:
            service.pop(key, None)
        else:
            service[key] = value
    manifest.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def service_entry(root: Path, name: str) -> dict[str, object]:
    """One service's entry in a copied repos.yaml, as written."""
    document = yaml.safe_load((root / "repos.yaml").read_text(encoding="utf-8"))
    [service] = [entry for entry in document["services"] if entry["name"] == name]
    return dict(service)
