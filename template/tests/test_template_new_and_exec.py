"""`fleet new` registers what it stamps and refuses bad input; `fleet exec` runs everywhere."""

from __future__ import annotations

import shutil

import yaml

from .conftest import FLEET, TemplatePlatform, replace_in, run, succeeded

EXAMPLE_PROTO = "template/project/proto/example_api/v1/example.proto"


def manifest_entry(platform: TemplatePlatform, name: str) -> dict[str, object]:
    manifest = yaml.safe_load((platform.root / "repos.yaml").read_text())
    return next(item for item in manifest["services"] if item["name"] == name)


def test_new_registers_the_service_with_a_free_port_keeping_the_manifest_comments(
    template_platform: TemplatePlatform,
) -> None:
    before = (template_platform.root / "repos.yaml").read_text()

    template_platform.stamp(
        "ms_board",
        "description=Boards of pinned documents: what a team reads first.",
        "owner=team-content",
        "websocket=true",
        "topics_consumed=[knowledge.documents.v1]",
    )

    after = (template_platform.root / "repos.yaml").read_text()
    assert after.startswith(before.rstrip("\n"))
    assert manifest_entry(template_platform, "ms_board") == {
        "name": "ms_board",
        "path": "services/ms_board",
        "description": "Boards of pinned documents: what a team reads first.",
        "owner": "team-content",
        "template_version": "1.0.0",
        "ports": {"grpc": 50059, "websocket": 50060, "metrics": 9109},
        "database": "board",
        "topics": {"consumes": ["knowledge.documents.v1"]},
    }
    succeeded(template_platform.fleet("manifest", "check"))
    answers = (template_platform.service("ms_board") / ".copier-answers.yml").read_text()
    assert "_src_path: ../..\n" in answers


def test_new_writes_the_worked_examples_contract_as_the_services_starter_contract(
    template_platform: TemplatePlatform,
) -> None:
    registry = template_platform.root / "proto-registry"
    released = (registry / "VERSION").read_text().strip()

    template_platform.stamp("ms_board")

    contract = (registry / "proto/knowledge/board/v1/note_service.proto").read_text()
    example = (template_platform.root / EXAMPLE_PROTO).read_text()
    assert "package knowledge.board.v1;" in contract
    assert contract.split("syntax", 1)[1] == example.split("syntax", 1)[1].replace(
        "knowledge.template_example.v1", "knowledge.board.v1"
    )
    major, minor, _ = released.split(".")
    assert (registry / "VERSION").read_text().strip() == f"{major}.{int(minor) + 1}.0"
    succeeded(template_platform.fleet("protos", "lint"))
    succeeded(template_platform.fleet("protos", "breaking"))


def planned_service(platform: TemplatePlatform) -> dict[str, object]:
    """A service repos.yaml plans but nobody has stamped yet (its contract is in the registry).
    When every service is stamped, the last one is made planned again: its template_version
    line taken out of repos.yaml (and its repository, where the copy has one, removed)."""
    manifest_file = platform.root / "repos.yaml"
    manifest = yaml.safe_load(manifest_file.read_text())
    planned = [item for item in manifest["services"] if "template_version" not in item]
    if planned:
        return dict(planned[0])
    last = manifest["services"][-1]
    lines = manifest_file.read_text().splitlines(keepends=True)
    start = lines.index(f"  - name: {last['name']}\n")
    release = next(
        i for i in range(start, len(lines)) if lines[i].strip().startswith("template_version:")
    )
    manifest_file.write_text("".join(lines[:release] + lines[release + 1 :]))
    repository = platform.service(str(last["name"]))
    if repository.exists():  # the copy may hold no service repositories at all
        shutil.rmtree(repository)
    platform.commit(f"{last['name']} planned, not stamped")
    return {key: value for key, value in last.items() if key != "template_version"}


def test_new_stamps_a_service_repos_yaml_plans_with_the_manifests_answers(
    template_platform: TemplatePlatform,
) -> None:
    planned = planned_service(template_platform)
    before = (template_platform.root / "repos.yaml").read_text()
    name = str(planned["name"])

    template_platform.stamp(name)

    answers = yaml.safe_load((template_platform.service(name) / ".copier-answers.yml").read_text())
    ports = planned["ports"]
    topics = planned.get("topics") or {}
    assert isinstance(ports, dict) and isinstance(topics, dict)
    assert answers["grpc_port"] == ports["grpc"]
    assert answers.get("websocket_port") == ports.get("websocket")
    assert answers["owner"] == planned["owner"]
    assert answers["topics_produced"] == topics.get("produces", [])
    assert manifest_entry(template_platform, name)["template_version"] == "1.0.0"
    after = (template_platform.root / "repos.yaml").read_text()
    assert after.count("\n") == before.count("\n") + 1  # one line added: the release
    contract = name.removeprefix("ms_")
    assert not (
        template_platform.root / f"proto-registry/proto/knowledge/{contract}/v1/note_service.proto"
    ).exists()
    assert (template_platform.fleet("new", name)).stderr.strip() == (
        f"fleet: services/{name} already exists"
    )


def test_new_refuses_bad_input_in_one_line_and_leaves_nothing_behind(
    template_platform: TemplatePlatform,
) -> None:
    manifest = (template_platform.root / "repos.yaml").read_text()
    cases = {
        ("ms-board",): "service name 'ms-board' must look like ms_<name>",
        ("ms_auth", "--data", "owner=team-x"): (
            "ms_auth is planned in repos.yaml, which already answers owner"
        ),
        ("ms_board", "--data", "colour=blue"): "--data names unknown question(s) colour",
        ("ms_board", "--data", "owner"): "--data expects KEY=VALUE, got 'owner'",
        ("ms_board", "--data", "grpc_port=50051"): "port 50051 is used twice",
        ("ms_board", "--data", "grpc_port=99999"): "grpc_port 99999 must be between 1024 and 65535",
        (
            "ms_board",
            "--data",
            "topics_produced=[knowledge.documents.v1]",
        ): "ms_board produces 'knowledge.documents.v1', but topics.yaml says ms_knowledge owns it",
        ("ms_board", "--release", "9.9.9"): "template release '9.9.9' does not exist",
    }
    for arguments, complaint in cases.items():
        result = template_platform.fleet("new", *arguments)
        assert result.returncode != 0, arguments
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert complaint in result.stderr, (arguments, result.stderr)
        assert not template_platform.service("ms_board").exists()
        assert (template_platform.root / "repos.yaml").read_text() == manifest
        assert template_platform.git("status", "--porcelain", "--untracked-files=all") == ""


def test_exec_runs_in_every_repository_and_reports_each_exit_code(
    template_platform: TemplatePlatform,
) -> None:
    template_platform.stamp("ms_alpha")
    template_platform.stamp("ms_beta", "database=false")
    replace_in(
        template_platform.root / "repos.yaml",
        "    path: services/ms_alpha\n",
        "    path: services/ms_alpha\n    tags: [stateful]\n",
    )

    everywhere = template_platform.fleet("exec", "--", "test", "-f", "alembic.ini")

    assert everywhere.returncode == 1
    assert everywhere.stderr.strip() == "fleet: `test -f alembic.ini` failed in ms_beta"
    rows = {
        line.split("│")[1].strip(): line
        for line in everywhere.stdout.splitlines()
        if "│ ms_" in line
    }
    assert " 0 " in rows["ms_alpha"] and " 1 " in rows["ms_beta"]

    tagged = template_platform.fleet(
        "exec", "--tags", "stateful", "--", "test", "-f", "alembic.ini"
    )
    assert tagged.returncode == 0, tagged.stderr
    assert "ms_beta" not in tagged.stdout


def test_exec_finds_the_platform_tools_without_an_activated_environment(
    template_platform: TemplatePlatform,
) -> None:
    template_platform.stamp("ms_alpha", "database=false")

    result = run(
        [FLEET, "exec", "--", "tox", "--version"],
        template_platform.root,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "250"},
    )

    assert result.returncode == 0, result.stderr
