"""The version gate on copies of the registry: breaking changes need a major bump, additions a minor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fleet.errors import FleetError
from fleet.protos.gate import bump_version, check_version
from fleet.protos.layout import RegistryLayout
from fleet.protos.semver import Bump, Version, read_version, write_version

from .conftest import copy_registry, edit_contract, released

USER = "knowledge/auth/v1/user.proto"
DOCUMENTS = "knowledge/knowledge/v1/document_service.proto"

BREAKING_CHANGES = {
    "rename a field": (USER, "string display_name = 3;", "string full_name = 3;"),
    "remove a field": (USER, "  string display_name = 3;\n", "  reserved 3;\n"),
    "change a field type": (USER, "string email = 2;", "bytes email = 2;"),
    "remove an RPC": (
        DOCUMENTS,
        "  rpc WatchSpace(WatchSpaceRequest) returns (stream WatchSpaceResponse);\n",
        "",
    ),
}

COMPATIBLE_ADDITIONS = {
    "add a field": (
        USER,
        "  PlatformRole role = 4;\n",
        "  PlatformRole role = 4;\n  string locale = 7;\n",
    ),
    "add an RPC": (
        DOCUMENTS,
        "  rpc WatchSpace(WatchSpaceRequest) returns (stream WatchSpaceResponse);\n",
        "  rpc WatchSpace(WatchSpaceRequest) returns (stream WatchSpaceResponse);\n"
        "  rpc ListRecentDocuments(ListDocumentsRequest) returns (ListDocumentsResponse);\n",
    ),
}


def set_version(layout: RegistryLayout, text: str) -> None:
    write_version(layout.version_file, Version.parse(text))


def test_the_committed_registry_passes_its_own_gate(tmp_path: Path) -> None:
    registry_copy = copy_registry(tmp_path)
    version, changes = check_version(registry_copy)
    assert changes.since is not None, "a release must be recorded under proto-registry/releases"
    assert changes.since.version == version
    assert changes.needed is Bump.NONE


@pytest.mark.parametrize("change", sorted(BREAKING_CHANGES))
def test_a_breaking_change_fails_without_a_major_bump(tmp_path: Path, change: str) -> None:
    registry_copy = copy_registry(tmp_path)
    last = released(registry_copy)
    edit_contract(registry_copy, *BREAKING_CHANGES[change])
    with pytest.raises(
        FleetError, match=re.escape(f"VERSION is still {last}: run `fleet protos bump`")
    ):
        check_version(registry_copy)
    set_version(registry_copy, str(last.bumped(Bump.MINOR)))
    major = last.bumped(Bump.MAJOR)
    with pytest.raises(
        FleetError,
        match=re.escape(f"minor bump over {last}, but the breaking change ")
        + f".* needs a major bump {re.escape(f'({major})')}",
    ):
        check_version(registry_copy)
    with pytest.raises(FleetError, match="not enough"):
        bump_version(registry_copy, Bump.MINOR)
    bumped, _ = bump_version(registry_copy, None)
    assert bumped == major
    assert read_version(registry_copy.version_file) == major
    assert check_version(registry_copy)[1].needed is Bump.MAJOR


@pytest.mark.parametrize("change", sorted(COMPATIBLE_ADDITIONS))
def test_an_addition_passes_as_a_minor_bump(tmp_path: Path, change: str) -> None:
    registry_copy = copy_registry(tmp_path)
    last = released(registry_copy)
    edit_contract(registry_copy, *COMPATIBLE_ADDITIONS[change])
    with pytest.raises(
        FleetError, match=f"compatible additions .* VERSION is still {re.escape(str(last))}"
    ):
        check_version(registry_copy)
    bumped, changes = bump_version(registry_copy, None)
    assert (bumped, changes.needed) == (last.bumped(Bump.MINOR), Bump.MINOR)
    assert check_version(registry_copy)[0] == last.bumped(Bump.MINOR)


def test_a_comment_change_needs_only_a_patch(tmp_path: Path) -> None:
    registry_copy = copy_registry(tmp_path)
    last = released(registry_copy)
    edit_contract(registry_copy, USER, "// User is a person's account", "// User is one account")
    assert bump_version(registry_copy, None)[0] == last.bumped(Bump.PATCH)


def test_versions_cannot_be_skipped_or_go_backwards(tmp_path: Path) -> None:
    registry_copy = copy_registry(tmp_path)
    last = released(registry_copy)
    minor = last.bumped(Bump.MINOR)
    edit_contract(registry_copy, *COMPATIBLE_ADDITIONS["add a field"])
    set_version(registry_copy, str(minor.bumped(Bump.MINOR)))
    with pytest.raises(
        FleetError,
        match=re.escape(f"skips a version: the next minor version after {last} is {minor}"),
    ):
        check_version(registry_copy)
    set_version(registry_copy, "0.9.0")
    with pytest.raises(FleetError, match=re.escape(f"older than the last release {last}")):
        check_version(registry_copy)


def test_nothing_to_bump_without_changes(tmp_path: Path) -> None:
    registry_copy = copy_registry(tmp_path)
    last = released(registry_copy)
    with pytest.raises(FleetError, match=re.escape(f"equal release {last}; nothing to bump")):
        bump_version(registry_copy, None)
