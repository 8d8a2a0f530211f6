"""repos.yaml `caller_methods`: a caller allowed only some methods of a service; `fleet manifest
check` refuses an entry for a service that is no caller, and a method the API does not have."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_fleet

ENTRY = "    caller_methods:\n      ms_canvas: [SpaceService/ListSpaceMembers]\n"


def _replace(root: Path, old: str, new: str) -> None:
    manifest = root / "repos.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert text.count(old) == 1
    manifest.write_text(text.replace(old, new), encoding="utf-8")


def test_the_committed_caller_methods_are_consistent(platform_copy: Path) -> None:
    result = run_fleet("manifest", "check", cwd=platform_copy)

    assert result.returncode == 0, result.stderr


def test_a_method_the_api_does_not_have_is_named(platform_copy: Path) -> None:
    _replace(platform_copy, "[SpaceService/ListSpaceMembers]", "[SpaceService/ListMembers]")

    result = run_fleet("manifest", "check", cwd=platform_copy)

    assert result.returncode != 0
    assert (
        "ms_knowledge.caller_methods.ms_canvas: SpaceService/ListMembers is no method of "
        "ms_knowledge's gRPC API"
    ) in " ".join(result.stderr.split())


def test_caller_methods_for_a_service_that_is_no_caller_are_refused(platform_copy: Path) -> None:
    _replace(platform_copy, ENTRY, ENTRY.replace("ms_canvas:", "ms_ml:"))

    result = run_fleet("manifest", "check", cwd=platform_copy)

    assert result.returncode != 0
    assert "ms_knowledge.caller_methods names 'ms_ml', which is not one of its callers" in " ".join(
        result.stderr.split()
    )
