"""Bake and test: render the template for a matrix of answers and run each repository's own tox."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from .conftest import COPIER, REPO_ROOT, TemplatePlatform, replace_in, run, run_tox, succeeded

SERVICE_VALUES_SCHEMA = (
    REPO_ROOT / "platform-charts" / "platform-lib" / "service-values.schema.json"
)


def copier_copy(platform: TemplatePlatform, target: Path, *data: str) -> Path:
    """Stamp with plain copier, as a team without the fleet CLI would."""
    answers = [part for item in data for part in ("--data", item)]
    succeeded(
        run(
            [
                COPIER,
                "copy",
                "--quiet",
                "--defaults",
                "--vcs-ref",
                "1.0.0",
                *answers,
                str(platform.root),
                str(target),
            ],
            target.parent,
        )
    )
    return target


JINJA = re.compile(r"(?<!\$)\{\{|\{%")
"""Jinja left unrendered; `${{ ... }}` is GitHub Actions' own syntax."""


def leftover_template_syntax(repository: Path) -> list[str]:
    found = []
    for path in repository.rglob("*"):
        if path.is_file() and path.suffix not in {".pyc"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            if JINJA.search(text):
                found.append(path.relative_to(repository).as_posix())
    return found


def chart_value_problems(values_file: Path) -> list[str]:
    """What the platform's service-values schema says about each key the file overrides. Helm
    merges the file over the chart's own values, so an override may leave out what the schema
    requires of the merged values (e.g. image.digest): its requirements are not checked here."""
    schema = _without_requirements(json.loads(SERVICE_VALUES_SCHEMA.read_text()))
    values = yaml.safe_load(values_file.read_text())
    problems = []
    for key, value in values.items():
        if key not in schema["properties"]:
            problems.append(f"{key}: not a service chart value")
            continue
        validator = Draft7Validator({**schema["properties"][key], "$defs": schema["$defs"]})
        problems.extend(f"{key}: {error.message}" for error in validator.iter_errors(value))
    return problems


def _without_requirements(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_requirements(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_without_requirements(item) for item in schema]
    return schema


@pytest.mark.infra
def test_fleet_new_repository_passes_its_own_tox_on_sqlite_and_postgresql(
    template_platform: TemplatePlatform, tox_environment: dict[str, str], postgres_url: str
) -> None:
    repository = template_platform.stamp("ms_example")
    assert leftover_template_syntax(repository) == []
    assert chart_value_problems(repository / "deploy" / "values.yaml") == []
    run_tox(
        repository,
        "lint,sqlite,postgresql",
        {**tox_environment, "KNOWLEDGE_TEST_POSTGRES_URL": postgres_url},
    )

    # A column added to the code without a migration fails the migrations check, naming it.
    replace_in(
        repository / "src" / "ms_example" / "repository" / "tables.py",
        '    Column("body", Text, nullable=False),\n',
        '    Column("body", Text, nullable=False),\n    Column("pinned_at", Text),\n',
    )
    python = repository / ".tox" / "sqlite" / "bin" / "python"
    check = run([python, "-m", "ms_example.migrations.check", "sqlite"], repository)
    assert check.returncode == 1
    assert "differs from the declared tables" in check.stderr and "pinned_at" in check.stderr


@pytest.mark.infra
def test_copier_copy_with_database_websocket_and_topics_passes_its_tox_on_both_databases(
    template_platform: TemplatePlatform,
    tox_environment: dict[str, str],
    postgres_url: str,
    tmp_path: Path,
) -> None:
    repository = copier_copy(
        template_platform,
        tmp_path / "ms_wall",
        "service_name=ms_wall",
        "description=Walls of sticky notes.",
        "websocket=true",
        "websocket_port=50300",
        "topics_produced=[wall.notes.v1]",
    )
    assert leftover_template_syntax(repository) == []
    assert (repository / "src" / "ms_wall" / "server" / "notes_socket.py").is_file()
    workflow = yaml.safe_load((repository / ".github" / "workflows" / "ci.yml").read_text())
    job = workflow["jobs"]["tox"]
    assert set(job["services"]) == {"postgres", "kafka"}
    assert set(job["env"]) >= {"KNOWLEDGE_TEST_POSTGRES_URL", "KNOWLEDGE_TEST_KAFKA_BOOTSTRAP"}
    assert job["steps"][-1]["run"].startswith("tox ")
    run_tox(
        repository,
        "lint,sqlite,postgresql",
        {**tox_environment, "KNOWLEDGE_TEST_POSTGRES_URL": postgres_url},
    )


def test_copier_copy_without_database_with_websocket_and_topics_passes_its_tox(
    template_platform: TemplatePlatform, tox_environment: dict[str, str], tmp_path: Path
) -> None:
    repository = copier_copy(
        template_platform,
        tmp_path / "ms_board",
        "service_name=ms_board",
        "owner=team-collaboration",
        "grpc_port=50200",
        "database=false",
        "websocket=true",
        "topics_consumed=[knowledge.documents.v1, knowledge.spaces.v1]",
    )
    assert leftover_template_syntax(repository) == []
    assert chart_value_problems(repository / "deploy" / "values.yaml") == []
    assert not (repository / "alembic.ini").exists()
    assert not (repository / "src" / "ms_board" / "migrations").exists()
    settings = (repository / "src" / "ms_board" / "config.py").read_text()
    assert "grpc_port: int = Field(default=50200" in settings
    assert "websocket_port: int = Field(default=50201" in settings
    assert '"knowledge.documents.v1",\n        "knowledge.spaces.v1",' in settings
    assert "env_list = lint, sqlite\n" in (repository / "tox.ini").read_text()
    run_tox(repository, "lint,sqlite", tox_environment)


@pytest.mark.parametrize(
    ("answer", "complaint"),
    [
        ("service_name=ms_Board", "service_name 'ms_Board' must look like ms_<name>"),
        ("grpc_port=80", "grpc_port 80 must be between 1024 and 65535"),
        ("owner=Team Board", "owner 'Team Board' must be a team slug"),
        ("topics_produced=board.items.v1", "topics_produced must be a list of topic names"),
        ("topics_produced=[board.items]", "'board.items' is not a topic name"),
    ],
)
def test_copier_refuses_a_bad_answer_naming_it(
    template_platform: TemplatePlatform, tmp_path: Path, answer: str, complaint: str
) -> None:
    data = ["service_name=ms_board"] if not answer.startswith("service_name") else []
    result = run(
        [
            COPIER,
            "copy",
            "--quiet",
            "--defaults",
            "--vcs-ref",
            "1.0.0",
            *(part for item in [*data, answer] for part in ("--data", item)),
            str(template_platform.root),
            str(tmp_path / "ms_board"),
        ],
        tmp_path,
    )
    assert result.returncode != 0
    assert complaint in " ".join(result.stderr.split())
