"""The ingress routes are the browser route table's: the check fails on a route rendered otherwise."""

from __future__ import annotations

from pathlib import Path

from fleet.charts.check import check_charts

from .chart_edits import replace_once


def _problem_lines(root: Path) -> list[str]:
    return [str(problem) for problem in check_charts(root).problems]


def test_a_websocket_route_without_its_rewrite_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/ingress.yaml"
    replace_once(template, ' "rewrite" .rewrite', "")

    lines = _problem_lines(charts_copy)

    assert (
        "default/mesh: VirtualService knowledge/platform-ingress: spec.http[3].rewrite.uri: "
        "WebSocket route /ws/canvas/ → ms-canvas:8765 must rewrite its prefix to '/' (keeps it): "
        "ms_canvas serves its sockets from '/' and closes any other path"
    ) in lines, lines


def test_a_websocket_route_sent_to_another_port_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/ingress.yaml"
    replace_once(template, '"port" .port "rewrite"', '"port" 8080 "rewrite"')

    lines = _problem_lines(charts_copy)

    assert (
        "default/mesh: VirtualService knowledge/platform-ingress: spec.http[3].route[0].destination: "
        "WebSocket route /ws/canvas/ → ms-canvas:8765 goes to ms-canvas:8080 "
        "(the route table's: ms-canvas:8765)"
    ) in lines, lines


def test_a_grpc_service_the_ingress_does_not_route_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/ingress.yaml"
    replace_once(
        template,
        '{{- $services = append $services (dict "uri" (dict "prefix" (printf "/%s/" .))) }}',
        '{{- if ne . "knowledge.auth.v1.UserService" }}{{- $services = append $services '
        '(dict "uri" (dict "prefix" (printf "/%s/" .))) }}{{- end }}',
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/mesh: VirtualService knowledge/platform-ingress: spec.http: no route for the "
        "route table's gRPC-web route /knowledge.auth.v1.UserService/ → ms-auth"
    ) in lines, lines
