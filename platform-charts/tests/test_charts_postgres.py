"""The postgres release brings each service's database: a CloudNativePG Cluster named as the
service's release expects, kept on uninstall, out of the mesh, able to form before the service's
release exists; the check names a service whose database no Cluster provides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet.charts.check import check_charts
from fleet.manifest import load_manifest

from .chart_edits import REPO_ROOT, replace_once

GOLDEN = REPO_ROOT / "platform-charts/golden"
INSTANCES = {"default": 3, "production": 3, "single-node": 1}


def _objects(scenario: str, chart: str) -> list[dict[str, Any]]:
    text = (GOLDEN / scenario / f"{chart}.yaml").read_text(encoding="utf-8")
    return [d for d in yaml.safe_load_all(text) if d]


@pytest.mark.parametrize("scenario", sorted(INSTANCES))
def test_every_service_with_a_database_gets_the_cluster_its_release_reads(scenario: str) -> None:
    clusters = {
        o["metadata"]["name"]: o for o in _objects(scenario, "postgres") if o["kind"] == "Cluster"
    }
    with_database = [s for s in load_manifest(REPO_ROOT).services if s.database]

    assert with_database
    for service in with_database:
        chart = service.name.replace("_", "-")
        deployment = next(o for o in _objects(scenario, chart) if o["kind"] == "Deployment")
        env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        secret = next(v for v in env if v["name"] == "PGUSER")["valueFrom"]["secretKeyRef"]["name"]
        cluster = clusters[secret.removesuffix("-app")]
        assert cluster["spec"]["bootstrap"]["initdb"] == {
            "database": service.database,
            "owner": service.name,
        }
        assert cluster["spec"]["instances"] == INSTANCES[scenario]
        assert cluster["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
        assert cluster["spec"]["inheritedMetadata"]["labels"] == {
            "sidecar.istio.io/inject": "false"
        }


def test_production_databases_are_on_the_fast_storage_class() -> None:
    for cluster in (o for o in _objects("production", "postgres") if o["kind"] == "Cluster"):
        assert cluster["spec"]["storage"] == {"size": "100Gi", "storageClass": "fast-ssd"}


def test_a_cluster_can_form_before_its_service_is_released() -> None:
    objects = _objects("default", "postgres")
    policy = next(o for o in objects if o["metadata"]["name"] == "ms-auth-postgres-instances")

    assert policy["spec"]["podSelector"] == {"matchLabels": {"cnpg.io/cluster": "ms-auth-postgres"}}
    operator = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}}
    }
    assert {"from": [operator], "ports": [{"protocol": "TCP", "port": 8000}]} in policy["spec"][
        "ingress"
    ]
    assert {
        "ports": [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 6443}]
    } in policy["spec"]["egress"]


def test_a_service_whose_database_no_cluster_provides_is_named(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/postgres/values.yaml"
    replace_once(values, "- name: ms-chat-postgres\n", "- name: ms-chats-postgres\n")

    lines = [str(problem) for problem in check_charts(charts_copy).problems]

    assert any(
        line.startswith(
            "default/ms-chat: Deployment knowledge/ms-chat: spec.template.spec.containers[0].env["
        )
        and "reads its database from Secret ms-chat-postgres-app, which no CloudNativePG Cluster "
        "of the postgres release writes"
        in line
        for line in lines
    ), lines
