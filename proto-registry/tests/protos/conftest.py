"""Helpers of the proto registry's tests (plain functions: throwaway registry copies to change)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fleet.protos.layout import REGISTRY_DIR, RegistryLayout
from fleet.protos.semver import Version, read_version

PLATFORM_ROOT = Path(__file__).resolve().parents[3]


def copy_registry(tmp_path: Path) -> RegistryLayout:
    """A platform root holding a copy of repos.yaml and proto-registry/, its releases included."""
    root = tmp_path / "platform"
    root.mkdir()
    shutil.copyfile(PLATFORM_ROOT / "repos.yaml", root / "repos.yaml")
    shutil.copytree(
        PLATFORM_ROOT / REGISTRY_DIR,
        root / REGISTRY_DIR,
        ignore=shutil.ignore_patterns("tests", "node_modules", "__pycache__"),
    )
    return RegistryLayout(root)


def edit_contract(layout: RegistryLayout, path: str, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) by `new` in one .proto file of the copy."""
    proto = layout.proto_root / path
    text = proto.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path} should contain {old!r} exactly once"
    proto.write_text(text.replace(old, new), encoding="utf-8")


def released(layout: RegistryLayout) -> Version:
    """The version the copy is at: its last release (the committed registry is always released)."""
    return read_version(layout.version_file)
