"""The README's `fleet new ms_billing --data owner=team-payments`, on a clone of this repository.

The clone holds the committed history plus the working tree's changes, and the template as it is
now is released there, so the example stamps what would be released next; the service must
also accept every variable its chart sets (it refuses to start on an unknown one). One stamping is shared:
the failure test runs first and must leave the clone exactly as it found it, so that the
example then runs on a clean clone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fleet.cli import app
from fleet.commands import new as new_command
from fleet.errors import FleetError
from fleet.template_ops.releases import latest_template_release, release_key

from .conftest import FLEET, REPO_ROOT, run, run_tox, succeeded

README_EXAMPLE = ("new", "ms_billing", "--data", "owner=team-payments")
SERVICE = Path("services/ms_billing")
CONTRACT = Path("proto-registry/proto/knowledge/billing/v1/note_service.proto")
CHART = Path("platform-charts/services/ms-billing")
SCENARIOS = ("default", "production", "single-node")


def git(*args: str, cwd: Path) -> str:
    return succeeded(run(["git", *args], cwd)).stdout


def working_changes() -> set[str]:
    """Paths whose working copy differs from HEAD here (staged or not), and untracked ones."""
    changed = git("diff", "--name-only", "-z", "HEAD", cwd=REPO_ROOT)
    untracked = git("ls-files", "-z", "--others", "--exclude-standard", cwd=REPO_ROOT)
    return {name for name in (changed + untracked).split("\0") if name}


def status(clone: Path, untracked: str = "all") -> str:
    return git("status", "--porcelain", f"--untracked-files={untracked}", cwd=clone)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository with its working changes committed and the template released."""
    clone = tmp_path_factory.mktemp("readme-example") / "platform"
    git("clone", "--quiet", "--no-hardlinks", str(REPO_ROOT), str(clone), cwd=REPO_ROOT)
    for name in working_changes():
        source, target = REPO_ROOT / name, clone / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
        elif target.is_file():
            target.unlink()
    git("add", "--all", cwd=clone)
    git("commit", "--quiet", "--allow-empty", "-m", "the working tree under test", cwd=clone)
    major, minor, patch = release_key(latest_template_release(clone))
    version = f"{major}.{minor}.{patch + 1}"
    succeeded(run([FLEET, "template", "release", version, "-m", "under test"], clone))
    git("commit", "--quiet", "-m", f"template {version}", "template/releases.yaml", cwd=clone)
    assert status(clone) == ""
    return clone


def test_a_failure_at_the_last_step_leaves_the_repository_as_it_was(
    clone: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written_before_the_failure: list[Path] = []
    generate_charts = new_command.regenerate_charts

    def charts_then_failure(root: Path) -> int:
        generate_charts(root)
        written_before_the_failure.extend(
            path for path in (SERVICE, CONTRACT, CHART) if (root / path).exists()
        )
        raise FleetError("the disk is full")

    monkeypatch.setattr(new_command, "regenerate_charts", charts_then_failure)
    monkeypatch.setenv("FLEET_ROOT", str(clone))

    result = CliRunner().invoke(app, README_EXAMPLE)

    assert isinstance(result.exception, FleetError), result.output
    assert written_before_the_failure == [SERVICE, CONTRACT, CHART]
    assert status(clone) == ""


def test_the_readme_example_stamps_a_service_whose_tox_and_charts_are_green(
    clone: Path, tox_environment: dict[str, str]
) -> None:
    stamped = succeeded(run([FLEET, *README_EXAMPLE], clone, env={"COLUMNS": "250"}))

    assert f"wrote the starter contract {CONTRACT.as_posix()}" in stamped.stdout
    changed = {line[3:] for line in status(clone, untracked="normal").splitlines()}
    assert changed == {
        "repos.yaml",
        "proto-registry/VERSION",
        f"{CONTRACT.parent.parent.as_posix()}/",
        f"{SERVICE.as_posix()}/",
        f"{CHART.as_posix()}/",
        *(f"platform-charts/golden/{scenario}/ms-billing.yaml" for scenario in SCENARIOS),
        # Its database is one more CloudNativePG cluster of the postgres release.
        "platform-charts/postgres/values.yaml",
        *(f"platform-charts/golden/{scenario}/postgres.yaml" for scenario in SCENARIOS),
    }
    succeeded(run([FLEET, "charts", "check"], clone))
    succeeded(run([FLEET, "protos", "breaking"], clone))
    succeeded(run([FLEET, "manifest", "check"], clone))
    run_tox(clone / SERVICE, "lint,sqlite,postgresql", tox_environment)
    for scenario in SCENARIOS:
        golden = clone / "platform-charts" / "golden" / scenario / "ms-billing.yaml"
        assert unknown_settings(clone / SERVICE, chart_environment(golden)) == [], scenario


def chart_environment(golden: Path) -> dict[str, str]:
    """The variables the chart's Deployment gives the service's container."""
    environment: dict[str, str] = {}
    for document in yaml.safe_load_all(golden.read_text()):
        if document and document.get("kind") == "Deployment":
            for container in document["spec"]["template"]["spec"]["containers"]:
                for variable in container.get("env", []):
                    environment[variable["name"]] = str(variable.get("value", "from a Secret"))
    assert environment, f"{golden.name} renders no Deployment environment"
    return environment


def unknown_settings(service: Path, environment: dict[str, str]) -> list[str]:
    """Variables the service would refuse to start on, asked of its own tox environment."""
    check = (
        "import json, sys; from knowledge_kit.settings import unknown_variables; "
        "from ms_billing.config import Settings; "
        "print(json.dumps(unknown_variables(Settings, json.loads(sys.argv[1]))))"
    )
    python = service / ".tox" / "sqlite" / "bin" / "python"
    answer = succeeded(run([python, "-c", check, json.dumps(environment)], service))
    return list(json.loads(answer.stdout))
