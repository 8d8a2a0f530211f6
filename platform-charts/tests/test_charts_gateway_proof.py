"""Istio's own configuration generation, run offline by the check, proves the gRPC-web filter lands
on the gateway's HTTPS listener; a filter patching another port is caught by it too."""

from __future__ import annotations

from pathlib import Path

import yaml
from fleet.charts.check import check_charts

from .chart_edits import replace_once


def test_a_gateway_listening_on_8443_with_the_filter_on_443_gets_no_grpc_web(
    charts_copy: Path,
) -> None:
    # The gateway's pods listen on 8443 (istioctl's gateway), the filter still patches 443.
    template = charts_copy / "platform-charts/mesh/templates/ingress.yaml"
    replace_once(template, "portNumber: {{ $gateway.https.targetPort }}", "portNumber: 443")
    scenario = charts_copy / "platform-charts/scenarios/production.yaml"
    values = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    values["charts"]["mesh"]["ingressGateway"] = {
        "https": {"port": 443, "targetPort": 8443},
        "http": {"port": 80, "targetPort": 8080},
    }
    scenario.write_text(yaml.safe_dump(values), encoding="utf-8")

    lines = [str(problem) for problem in check_charts(charts_copy, update_golden=True).problems]

    [istio] = [line for line in lines if "Istio's configuration generation" in line]
    assert istio.startswith(
        "production/mesh: EnvoyFilter istio-ingress/knowledge-prod-mesh-grpc-web: "
        "spec.configPatches[0]: Istio's configuration generation (istiod's code, istio.io/istio "
        "eed52ebb66ad) puts no envoy.filters.http.grpc_web before the router on the gateway's "
        "HTTPS listener 8443 (its HTTP filters: "
    ), lines
    assert "envoy.filters.http.router" in istio
    assert not any(line.startswith("default/") for line in lines), lines
