"""The ingress requires a token on every gRPC-web method but repos.yaml's public ones."""

from __future__ import annotations

from pathlib import Path

from fleet.charts.check import check_charts

from .chart_edits import replace_once


def _problem_lines(root: Path) -> list[str]:
    return [str(problem) for problem in check_charts(root).problems]


def test_an_ingress_that_lets_calls_through_without_a_token_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/security.yaml"
    replace_once(template, "  action: DENY\n", "  action: AUDIT\n")

    lines = _problem_lines(charts_copy)

    assert (
        "default/mesh: VirtualService knowledge/platform-ingress: spec.http: the ingress lets "
        "/knowledge.canvas.v1.CanvasService/CreateCanvas through without a token: no DENY "
        "AuthorizationPolicy in istio-ingress refuses it without a request principal"
    ) in lines, lines


def test_an_ingress_refusing_sign_in_without_a_token_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/security.yaml"
    replace_once(
        template, "            {{- with .Values.publicMethods }}", "            {{- with list }}"
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/mesh: VirtualService knowledge/platform-ingress: spec.http: the ingress refuses "
        "/knowledge.auth.v1.AuthService/Register without a token, but repos.yaml lists it in "
        "public_methods (nobody could sign in)"
    ) in lines, lines


def test_an_ingress_that_cannot_read_tokens_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/security.yaml"
    replace_once(
        template,
        '"name" (printf "%s-%s-tokens" .Release.Namespace .Release.Name) "namespace" $gateway.namespace',
        '"name" (printf "%s-%s-tokens" .Release.Namespace .Release.Name)',
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/mesh: VirtualService knowledge/platform-ingress: spec.gateways: no "
        "RequestAuthentication lets the ingress gateway (istio-ingress) read tokens"
    ) in lines, lines
