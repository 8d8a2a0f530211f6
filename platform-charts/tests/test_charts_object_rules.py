"""Rules the API server would enforce on names, labels and scenario files, caught offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleet.charts.check import check_charts
from fleet.charts.object_names import name_findings
from fleet.errors import FleetError

from .chart_edits import replace_once


def test_a_service_name_with_an_underscore_is_rejected() -> None:
    service = {"kind": "Service", "metadata": {"name": "ms_auth", "labels": {"app": "ms-auth"}}}

    assert name_findings(service) == [
        ("metadata.name", "'ms_auth' is not a DNS label (a-z, 0-9, '-', at most 63)")
    ]


def test_a_label_value_with_a_space_is_rejected() -> None:
    topic = {"kind": "KafkaTopic", "metadata": {"name": "auth.users.v1", "labels": {"team": "a b"}}}

    assert name_findings(topic) == [("metadata.labels[team]", "'a b' is not a valid label value")]


def test_a_typo_in_a_scenario_file_names_the_file_line_and_key(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/single-node.yaml"
    replace_once(scenario, "services:\n", "servics:\n")

    with pytest.raises(FleetError, match=r"single-node\.yaml:\d+: unknown key 'servics'"):
        check_charts(charts_copy)


def test_a_scenario_naming_no_chart_is_reported(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/production.yaml"
    replace_once(scenario, "  ms-vector:\n", "  ms-vectr:\n")

    problems = [str(problem) for problem in check_charts(charts_copy).problems]

    assert any(
        line.startswith("production: scenario production: charts.ms-vectr: no chart named")
        for line in problems
    ), problems


def test_a_setting_the_chart_already_sets_is_reported_as_set_twice(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/production.yaml"
    replace_once(
        scenario, "      log_level: INFO\n", "      log_level: INFO\n      grpc_port: '1'\n"
    )

    problems = [str(problem) for problem in check_charts(charts_copy).problems]

    assert any(
        line.startswith("production/ms-auth: Deployment knowledge-prod/ms-auth: ")
        and line.endswith(
            "(MS_AUTH_GRPC_PORT): MS_AUTH_GRPC_PORT is set twice; the later value silently wins"
        )
        for line in problems
    ), problems
