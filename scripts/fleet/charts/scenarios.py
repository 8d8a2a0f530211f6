"""Scenarios: the value sets every chart is rendered with (platform-charts/scenarios/*.yaml)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fleet.charts.layout import CHARTS_DIR, SCENARIOS_DIR
from fleet.errors import FleetError
from fleet.located_yaml import load_located_yaml
from fleet.validation_messages import describe_validation_error


class Scenario(BaseModel):
    """A namespace and values overrides: for every service chart, and per chart by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    description: str = Field(min_length=1)
    namespace: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    services: dict[str, Any] = {}
    charts: dict[str, dict[str, Any]] = {}

    def values_for(self, chart: str, is_service: bool) -> dict[str, Any]:
        """The overrides one chart is rendered with: shared service values, then its own."""
        values: dict[str, Any] = copy.deepcopy(self.services) if is_service else {}
        return _merged(values, self.charts.get(chart, {}))


def load_scenarios(root: Path) -> list[Scenario]:
    """Every scenario file, sorted by name; at least one must exist."""
    directory = root / CHARTS_DIR / SCENARIOS_DIR
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise FleetError(
            f"{CHARTS_DIR / SCENARIOS_DIR}: no scenarios (*.yaml) to render charts with"
        )
    scenarios = []
    for path in files:
        document = load_located_yaml(path)
        try:
            scenario = Scenario.model_validate(document.data)
        except ValidationError as exc:
            raise FleetError(describe_validation_error(exc, document)) from None
        scenarios.append(scenario.model_copy(update={"name": path.stem}))
    return scenarios


def _merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = _merged(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base
