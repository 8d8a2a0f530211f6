"""repos.yaml is validated, and every mistake comes back as one readable line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fleet.errors import FleetError
from fleet.manifest import load_manifest
from fleet.topic_wiring import topic_wiring_problems
from fleet.topics import load_topics

from .conftest import REPO_ROOT, run_fleet


def write_manifest(root: Path, text: str) -> None:
    (root / "repos.yaml").write_text(text)


def test_committed_manifest_is_valid_and_wired_to_declared_topics() -> None:
    manifest = load_manifest(REPO_ROOT)
    assert {service.name for service in manifest.services} == {
        "ms_auth",
        "ms_knowledge",
        "ms_canvas",
        "ms_chat",
        "ms_vector",
        "ms_activity",
        "ms_notifications",
        "ms_ml",
    }
    assert topic_wiring_problems(manifest, load_topics(REPO_ROOT)) == []


def test_unknown_key_is_named_with_its_line(platform_copy: Path) -> None:
    text = (
        (platform_copy / "repos.yaml")
        .read_text()
        .replace("    database: knowledge\n", "    databse: knowledge\n")
    )
    write_manifest(platform_copy, text)
    line = text.splitlines().index("    databse: knowledge") + 1
    with pytest.raises(FleetError) as error:
        load_manifest(platform_copy)
    assert str(error.value).startswith(f"repos.yaml:{line}: unknown key 'services[1].databse'")


def test_missing_field_is_named(platform_copy: Path) -> None:
    text = (platform_copy / "repos.yaml").read_text().replace("    owner: team-identity\n", "")
    write_manifest(platform_copy, text)
    with pytest.raises(FleetError, match=r"missing required key 'services\[0\]\.owner'"):
        load_manifest(platform_copy)


def test_duplicate_port_names_both_owners(platform_copy: Path) -> None:
    text = (platform_copy / "repos.yaml").read_text().replace("{grpc: 50052,", "{grpc: 50051,")
    write_manifest(platform_copy, text)
    with pytest.raises(
        FleetError, match=r"port 50051 is used twice: ms_auth\.grpc and ms_knowledge\.grpc"
    ):
        load_manifest(platform_copy)


def test_duplicate_key_and_unknown_caller_are_refused(platform_copy: Path) -> None:
    original = (platform_copy / "repos.yaml").read_text()
    write_manifest(
        platform_copy,
        original.replace("    owner: team-content\n", "    owner: team-content\n    owner: x\n"),
    )
    with pytest.raises(FleetError, match=r"repos\.yaml:\d+: duplicate key 'owner'"):
        load_manifest(platform_copy)
    write_manifest(
        platform_copy,
        original.replace("callers: [ingress, ms_chat]", "callers: [ingress, ms_chatt]"),
    )
    with pytest.raises(FleetError, match=r"unknown caller\(s\) ms_chatt"):
        load_manifest(platform_copy)


def test_undeclared_topic_is_a_wiring_problem(platform_copy: Path) -> None:
    document = yaml.safe_load((platform_copy / "repos.yaml").read_text())
    [vector] = [entry for entry in document["services"] if entry["name"] == "ms_vector"]
    consumes = vector["topics"]["consumes"]
    assert "knowledge.documents.v1" in consumes
    vector["topics"]["consumes"] = [
        "knowledge.document.v1" if topic == "knowledge.documents.v1" else topic
        for topic in consumes
    ]
    write_manifest(platform_copy, yaml.safe_dump(document, sort_keys=False))
    problems = topic_wiring_problems(load_manifest(platform_copy), load_topics(platform_copy))
    assert problems == [
        "ms_vector consumes 'knowledge.document.v1', which topics.yaml does not declare"
    ]


def test_cli_reports_a_broken_manifest_as_one_line_from_a_subdirectory(platform_copy: Path) -> None:
    text = (
        (platform_copy / "repos.yaml")
        .read_text()
        .replace("    tags: [ai]\n", "    tagz: [ai]\n", 1)
    )
    write_manifest(platform_copy, text)
    result = run_fleet("manifest", "check", cwd=platform_copy / "proto-registry")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fleet: repos.yaml:") and "unknown key" in lines[0]
    assert "tagz" in lines[0] and "Traceback" not in result.stderr


def test_cli_finds_the_root_of_a_fresh_copy_from_any_directory(platform_copy: Path) -> None:
    nested = platform_copy / "services"
    nested.mkdir(exist_ok=True)
    result = run_fleet("manifest", "check", cwd=nested)
    assert result.returncode == 0, result.stderr
    assert "8 services" in result.stdout


def test_cli_outside_the_repository_says_so(tmp_path: Path) -> None:
    result = run_fleet("manifest", "check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("fleet: not inside the platform repository")


def test_cli_usage_error_is_one_line(tmp_path: Path) -> None:
    result = run_fleet("manifest", "chekc", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "chekc" in result.stderr
