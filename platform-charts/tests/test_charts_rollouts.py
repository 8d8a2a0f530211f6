"""Safe rollouts: images pinned by digest and pulled with their Secret, pods placed by values and
spread over zones and nodes, the single-node scenario never blocked by a spread it cannot meet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet.charts.helm_engine import RenderError, render, staged_charts

from .chart_edits import REPO_ROOT

DIGEST = "sha256:" + "0123456789abcdef" * 4
SCHEDULED = ("Deployment", "Job")


def _golden(scenario: str, chart: str) -> list[dict[str, Any]]:
    path = REPO_ROOT / "platform-charts/golden" / scenario / f"{chart}.yaml"
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def _rendered(chart_name: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    with staged_charts(REPO_ROOT / "platform-charts") as charts:
        [chart] = [chart for chart in charts if chart.name == chart_name]
        manifests = render(chart, values, "knowledge")
    return [d for text in manifests.values() for d in yaml.safe_load_all(text) if d]


def _pod_specs(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["kind"]: o["spec"]["template"]["spec"] for o in objects if o["kind"] in SCHEDULED}


def test_a_pinned_digest_is_what_the_deployment_and_the_migrations_pull() -> None:
    objects = _rendered("ms-chat", {"image": {"tag": "1.4.2", "digest": DIGEST}})

    images = {kind: spec["containers"][0]["image"] for kind, spec in _pod_specs(objects).items()}
    assert images == {
        "Deployment": f"knowledge/ms-chat:1.4.2@{DIGEST}",
        "Job": f"knowledge/ms-chat:1.4.2@{DIGEST}",
    }


def test_a_digest_that_is_not_a_sha256_is_refused_before_install() -> None:
    with pytest.raises(RenderError, match=r"/image/digest.*does not match"):
        _rendered("ms-chat", {"image": {"digest": "latest"}})


def test_placement_values_reach_every_pod_of_the_release() -> None:
    toleration = {
        "key": "dedicated",
        "operator": "Equal",
        "value": "platform",
        "effect": "NoSchedule",
    }
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "pool", "operator": "In", "values": ["apps"]}]}
                ]
            }
        }
    }
    values = {
        "image": {"pullSecrets": ["registry-a"]},
        "scheduling": {
            "nodeSelector": {"pool": "apps"},
            "tolerations": [toleration],
            "affinity": affinity,
        },
    }

    for kind, spec in _pod_specs(_rendered("ms-knowledge", values)).items():
        assert spec["imagePullSecrets"] == [{"name": "registry-a"}], kind
        assert spec["nodeSelector"] == {"pool": "apps"}, kind
        assert spec["tolerations"] == [toleration], kind
        assert spec["affinity"] == affinity, kind


def test_production_pulls_with_its_secret_and_spreads_replicas_over_zones() -> None:
    objects = _golden("production", "ms-chat")
    specs = _pod_specs(objects)

    for kind, spec in specs.items():
        assert spec["imagePullSecrets"] == [{"name": "platform-registry"}], kind
        assert spec["containers"][0]["imagePullPolicy"] == "IfNotPresent", kind
    [deployment] = [o for o in objects if o["kind"] == "Deployment"]
    spread = {c["topologyKey"]: c for c in specs["Deployment"]["topologySpreadConstraints"]}
    zone = spread["topology.kubernetes.io/zone"]
    assert zone["whenUnsatisfiable"] == "DoNotSchedule"
    assert zone["labelSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    assert spread["kubernetes.io/hostname"]["whenUnsatisfiable"] == "ScheduleAnyway"


@pytest.mark.parametrize(
    "golden", sorted((REPO_ROOT / "platform-charts/golden/single-node").glob("ms-*.yaml"))
)
def test_a_single_node_is_never_blocked_by_a_spread(golden: Path) -> None:
    for kind, spec in _pod_specs(_golden("single-node", golden.stem)).items():
        for constraint in spec.get("topologySpreadConstraints", []):
            assert constraint["whenUnsatisfiable"] == "ScheduleAnyway", (kind, constraint)
