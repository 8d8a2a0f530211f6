"""What the charts render into a service's environment is exactly settings it has: a service
refuses to start on a variable under its prefix that is none (a chart typo would stop it)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml
from knowledge_kit.settings import unknown_variables

from .conftest import REPO_ROOT

GOLDEN = REPO_ROOT / "platform-charts" / "golden"
STAMPED = [
    path
    for path in sorted(GOLDEN.glob("*/ms-*.yaml"))
    if (REPO_ROOT / "services" / path.stem.replace("-", "_")).is_dir()
]


def rendered_environment(manifest: Path) -> dict[str, str]:
    environment: dict[str, str] = {}
    for document in yaml.safe_load_all(manifest.read_text()):
        # The migration Job runs the service too, with the Deployment's environment and its mode.
        if document and document.get("kind") in ("Deployment", "Job"):
            for container in document["spec"]["template"]["spec"]["containers"]:
                for variable in container.get("env", []):
                    environment[variable["name"]] = str(variable.get("value", "from a Secret"))
    return environment


@pytest.mark.parametrize("manifest", STAMPED, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_every_variable_the_chart_sets_is_a_setting_of_the_service(manifest: Path) -> None:
    settings = importlib.import_module(f"{manifest.stem.replace('-', '_')}.config").Settings
    environment = rendered_environment(manifest)
    assert f"{manifest.stem.replace('-', '_').upper()}_KAFKA_SASL_PASSWORD" in environment
    assert f"{manifest.stem.replace('-', '_').upper()}_DATABASE_MIGRATIONS" in environment
    assert unknown_variables(settings, environment) == []
