"""The template's copier.yml at one release: its settings and the questions it asks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fleet.errors import FleetError
from fleet.template_ops.git import git

TEMPLATE_CONFIG = "copier.yml"


def template_config(root: Path, version: str) -> dict[str, Any]:
    """copier.yml as released in `version`."""
    config = yaml.safe_load(git("show", f"{version}:{TEMPLATE_CONFIG}", cwd=root))
    if not isinstance(config, dict):
        raise FleetError(
            f"{TEMPLATE_CONFIG} at {version} is not a mapping of settings and questions"
        )
    return config


def asked_questions(config: dict[str, Any]) -> list[str]:
    """The questions a user may answer (settings start with `_`; derived names are never asked)."""
    return [
        name
        for name, spec in config.items()
        if not name.startswith("_") and not (isinstance(spec, dict) and spec.get("when") is False)
    ]
