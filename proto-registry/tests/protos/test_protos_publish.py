"""Publishing: a version enters the local index once, is recorded as a release, and never changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fleet.errors import FleetError
from fleet.protos.gate import bump_version
from fleet.protos.layout import DISTRIBUTION
from fleet.protos.package_index import published_files
from fleet.protos.publishing import publish
from fleet.protos.semver import Bump

from .conftest import copy_registry, edit_contract, released

NEW_FIELD = (
    "knowledge/auth/v1/user.proto",
    "  PlatformRole role = 4;\n",
    "  PlatformRole role = 4;\n  string locale = 7;\n",
)


def quietly(message: str) -> None:
    """Publishing reports progress; these tests only look at the outcome."""


def test_publishing_twice_is_harmless_and_a_new_version_is_recorded(
    tmp_path: Path,
) -> None:
    registry_copy = copy_registry(tmp_path)
    last = released(registry_copy)
    first = publish(registry_copy, quietly)
    assert (first.version, first.newly_released, first.already_published) == (last, False, False)
    again = publish(registry_copy, quietly)
    assert again.already_published
    edit_contract(registry_copy, *NEW_FIELD)
    bump_version(registry_copy, None)
    minor = publish(registry_copy, quietly)
    assert (minor.version, minor.newly_released) == (last.bumped(Bump.MINOR), True)
    assert (registry_copy.releases / str(minor.version) / "image.binpb").is_file()
    assert [path.name for path in published_files(registry_copy.index, DISTRIBUTION)] == [
        f"knowledge_protos-{last}-py3-none-any.whl",
        f"knowledge_protos-{minor.version}-py3-none-any.whl",
    ]
    index_page = (registry_copy.index / "simple" / "knowledge-protos" / "index.html").read_text()
    assert f"knowledge_protos-{minor.version}-py3-none-any.whl#sha256=" in index_page


def test_a_published_version_is_never_overwritten(tmp_path: Path) -> None:
    registry_copy = copy_registry(tmp_path)
    publish(registry_copy, quietly)
    wheel = published_files(registry_copy.index, DISTRIBUTION)[0]
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    with pytest.raises(FleetError, match="already published with different contents"):
        publish(registry_copy, quietly)


def test_the_cli_reports_a_gate_failure_on_one_line(tmp_path: Path) -> None:
    registry_copy = copy_registry(tmp_path)
    edit_contract(
        registry_copy, "knowledge/auth/v1/user.proto", "string email = 2;", "bytes email = 2;"
    )
    env = {key: value for key, value in os.environ.items() if key != "FLEET_ROOT"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "fleet"), "protos", "publish"],
        cwd=registry_copy.root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(
        f"fleet: the contracts changed since release {released(registry_copy)} (breaking change"
    )
    assert 'changed type from "string" to "bytes"' in result.stderr
    assert not published_files(registry_copy.index, DISTRIBUTION)
