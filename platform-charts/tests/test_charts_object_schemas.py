"""The pinned schemas reject what the API server would prune or refuse, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from fleet.charts.layout import CHARTS_DIR, SCHEMAS_DIR
from fleet.charts.object_schemas import ObjectSchemas, object_schemas
from fleet.charts.object_validation import schema_findings

from .chart_edits import REPO_ROOT


@pytest.fixture(scope="module")
def schemas() -> ObjectSchemas:
    return object_schemas(REPO_ROOT / CHARTS_DIR / SCHEMAS_DIR)


def _topic(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaTopic",
        "metadata": {"name": "auth.users.v1", "labels": {"strimzi.io/cluster": "knowledge"}},
        "spec": spec,
    }


def test_a_strimzi_field_typo_is_an_unknown_field(schemas: ObjectSchemas) -> None:
    findings = schema_findings(_topic({"partiton": 6, "replicas": 3}), schemas)

    assert findings == [("spec.partiton", "unknown field (not in the pinned schema)")]


def test_a_strimzi_field_of_the_wrong_type_is_named(schemas: ObjectSchemas) -> None:
    [(field, message)] = schema_findings(_topic({"partitions": "six"}), schemas)

    assert field == "spec.partitions"
    assert "'six' is not of type 'integer'" in message


def test_a_kubernetes_field_typo_is_an_unknown_field(schemas: ObjectSchemas) -> None:
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "ms-auth", "namespace": "knowledge"},
        "automountServiceAccountTokens": False,
    }

    assert schema_findings(account, schemas) == [
        ("automountServiceAccountTokens", "unknown field (not in the pinned schema)")
    ]


def test_a_kind_no_pinned_schema_knows_is_reported(schemas: ObjectSchemas) -> None:
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "x"},
    }

    [(field, message)] = schema_findings(route, schemas)

    assert field == "apiVersion"
    assert message.startswith("no pinned schema for HTTPRoute gateway.networking.k8s.io/v1")
