"""Golden renders: a change to what a chart renders shows up as a diff to review."""

from __future__ import annotations

from pathlib import Path

from fleet.charts.check import check_charts

from .chart_edits import replace_once


def test_a_changed_render_is_reported_until_the_goldens_are_updated(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/platform-lib/templates/_workload.tpl"
    replace_once(template, "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 45")

    problems = [str(problem) for problem in check_charts(charts_copy).problems]

    assert (
        "default/ms-auth: platform-charts/golden/default/ms-auth.yaml: differs from the render, "
        "first at: -      terminationGracePeriodSeconds: 30 (run `fleet charts check "
        "--update-golden` and review the diff)"
    ) in problems

    updated = check_charts(charts_copy, update_golden=True)
    golden = charts_copy / "platform-charts/golden/default/ms-auth.yaml"
    assert golden in updated.goldens_written
    assert "terminationGracePeriodSeconds: 45" in golden.read_text(encoding="utf-8")
    assert check_charts(charts_copy).problems == []
