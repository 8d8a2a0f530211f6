"""repos.yaml `caller_methods` (a caller allowed only some methods of a service) and
`public_methods` (what the ingress lets through without a token): `fleet manifest check` refuses
an entry for a service that is no caller and a method the API does not have, and the public
methods are the ones the service itself serves without a token."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from fleet.charts.caller_methods import public_method_paths
from fleet.charts.grpc_contracts import load_grpc_services
from fleet.manifest import load_manifest

from .conftest import REPO_ROOT, run_fleet

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


@pytest.mark.parametrize("service", ["ms_auth", "ms_knowledge", "ms_canvas"])
def test_the_ingress_lets_through_tokenless_exactly_what_the_service_serves_tokenless(
    service: str,
) -> None:
    manifest = load_manifest(REPO_ROOT)
    declared = public_method_paths(
        manifest.model_copy(update={"services": [manifest.service(service)]}),
        load_grpc_services(REPO_ROOT),
    )
    settings = importlib.import_module(f"{service}.config").Settings

    assert set(declared) == set(settings.model_fields["public_methods"].default)
