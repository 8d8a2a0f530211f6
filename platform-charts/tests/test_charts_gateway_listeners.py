"""The gRPC-web EnvoyFilter patches a listener the gateway has, and its name is the environment's."""

from __future__ import annotations

from pathlib import Path

import yaml
from fleet.charts.check import check_charts

from .chart_edits import replace_once


def _problem_lines(root: Path) -> list[str]:
    return [str(problem) for problem in check_charts(root).problems]


def test_the_filter_on_a_port_the_gateway_does_not_listen_on_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/ingress.yaml"
    replace_once(template, "portNumber: {{ $gateway.https.targetPort }}", "portNumber: 8443")

    lines = _problem_lines(charts_copy)

    assert (
        "default/mesh: EnvoyFilter istio-ingress/knowledge-mesh-grpc-web: "
        "spec.configPatches[0].match.listener.portNumber: 8443 is no port the gateway "
        "istio=ingressgateway listens on for HTTPS (its Gateway's listeners: 443): "
        "the patch would match nothing"
    ) in lines, lines


def test_a_gateway_whose_pods_listen_on_8443_gets_the_filter_there(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/production.yaml"
    values = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    values["charts"]["mesh"]["ingressGateway"] = {
        "https": {"port": 443, "targetPort": 8443},
        "http": {"port": 80, "targetPort": 8080},
    }
    scenario.write_text(yaml.safe_dump(values), encoding="utf-8")

    report = check_charts(charts_copy, update_golden=True)

    assert [str(problem) for problem in report.problems] == []
    render = charts_copy / "platform-charts/golden/production/mesh.yaml"
    documents = {d["kind"]: d for d in yaml.safe_load_all(render.read_text(encoding="utf-8"))}
    assert documents["Gateway"]["spec"]["servers"][0]["port"]["number"] == 443
    patch = documents["EnvoyFilter"]["spec"]["configPatches"][0]
    assert patch["match"]["listener"]["portNumber"] == 8443


def test_a_fixed_name_in_the_gateways_namespace_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/ingress.yaml"
    replace_once(
        template,
        '(printf "%s-%s-grpc-web" .Release.Namespace .Release.Name)',
        '"platform-grpc-web"',
    )

    lines = _problem_lines(charts_copy)

    assert (
        "production/mesh: EnvoyFilter istio-ingress/platform-grpc-web: metadata.name: is in "
        "namespace istio-ingress, which other environments share: name it "
        "'knowledge-prod-mesh-…' (release namespace and name), or a second environment's "
        "install fails Helm's ownership check"
    ) in lines, lines
