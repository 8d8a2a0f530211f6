"""A caller repos.yaml allows only some methods gets only those: the check names any other."""

from __future__ import annotations

from pathlib import Path

from fleet.charts.check import check_charts

from .chart_edits import replace_once


def test_a_caller_allowed_a_method_it_does_not_need_is_named(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/services/ms-knowledge/values.yaml"
    replace_once(
        values,
        "    - /knowledge.knowledge.v1.SpaceService/ListSpaceMembers\n",
        "    - /knowledge.knowledge.v1.SpaceService/ListSpaceMembers\n"
        "    - /knowledge.knowledge.v1.SpaceService/DeleteSpace\n",
    )

    lines = [str(problem) for problem in check_charts(charts_copy).problems]

    assert (
        "default/ms-knowledge: AuthorizationPolicy knowledge/ms-knowledge: spec.rules[1]: allows "
        "ms-canvas /knowledge.knowledge.v1.SpaceService/DeleteSpace, but repos.yaml lets it call "
        "only /knowledge.knowledge.v1.SpaceService/ListSpaceMembers (caller_methods)"
    ) in lines, lines


def test_a_template_granting_limited_callers_every_method_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/platform-lib/templates/_authorization.tpl"
    replace_once(template, "{{- with get $auth.callerMethods . -}}", "{{- with list -}}")

    lines = [str(problem) for problem in check_charts(charts_copy).problems]

    assert (
        "default/ms-knowledge: AuthorizationPolicy knowledge/ms-knowledge: spec.rules[0]: allows "
        "ms-canvas /knowledge.knowledge.v1.DocumentService/*, /knowledge.knowledge.v1.SpaceService/*, "
        "but repos.yaml lets it call only /knowledge.knowledge.v1.SpaceService/ListSpaceMembers "
        "(caller_methods)"
    ) in lines, lines
