"""What a service reaches outside the platform (repos.yaml `reaches`) its release carries: a way out
of the namespace's default deny to public addresses on those ports only, credentials from optional
Secrets (the service runs without them), and for Jobs it runs a Role of exactly that."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from .chart_edits import REPO_ROOT

GOLDEN = REPO_ROOT / "platform-charts/golden/default"
SERVICES = sorted(path.stem for path in GOLDEN.glob("ms-*.yaml"))
PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def _objects(chart: str) -> list[dict[str, Any]]:
    text = (GOLDEN / f"{chart}.yaml").read_text(encoding="utf-8")
    return [d for d in yaml.safe_load_all(text) if d]


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def _external_ports(chart: str) -> set[int]:
    policy = _one(_objects(chart), "NetworkPolicy", chart)
    ports: set[int] = set()
    for rule in policy["spec"]["egress"]:
        for peer in rule.get("to", []):
            if "ipBlock" in peer:
                assert peer["ipBlock"] == {"cidr": "0.0.0.0/0", "except": PRIVATE}
                ports |= {port["port"] for port in rule["ports"]}
    return ports


def _secret_env(chart: str) -> dict[str, dict[str, Any]]:
    deployment = _one(_objects(chart), "Deployment", chart)
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {
        variable["name"]: variable["valueFrom"]["secretKeyRef"]
        for variable in container["env"]
        if "valueFrom" in variable
    }


def test_notifications_go_out_to_mail_servers_and_push_services_only() -> None:
    assert _external_ports("ms-notifications") == {25, 465, 587, 443}
    secrets = _secret_env("ms-notifications")
    assert secrets["MS_NOTIFICATIONS_SMTP_PASSWORD"] == {
        "name": "ms-notifications-smtp",
        "key": "password",
        "optional": True,
    }
    assert secrets["MS_NOTIFICATIONS_UNSUBSCRIBE_SECRET"]["name"] == "ms-notifications-smtp"
    assert secrets["MS_NOTIFICATIONS_VAPID_PRIVATE_KEY"] == {
        "name": "ms-notifications-web-push",
        "key": "vapid-private-key",
        "optional": True,
    }


def test_ms_ml_keeps_artifacts_in_object_storage_with_keys_from_its_secret() -> None:
    assert _external_ports("ms-ml") == {443}
    deployment = _one(_objects("ms-ml"), "Deployment", "ms-ml")
    env = {
        v["name"]: v.get("value")
        for v in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["MS_ML_ARTIFACT_STORE"] == "s3"
    secrets = _secret_env("ms-ml")
    assert {
        secrets[f"MS_ML_S3_{name}"]["name"] for name in ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY")
    } == {"ms-ml-object-storage"}


def test_ms_ml_may_run_jobs_read_their_logs_and_nothing_more() -> None:
    objects = _objects("ms-ml")
    role = _one(objects, "Role", "ms-ml")
    binding = _one(objects, "RoleBinding", "ms-ml")
    deployment = _one(objects, "Deployment", "ms-ml")

    grants = {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    assert grants == {
        *(("batch", "jobs", verb) for verb in ("create", "get", "list", "watch", "delete")),
        *(("", "pods", verb) for verb in ("get", "list", "watch")),
        ("", "pods/log", "get"),
    }
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "ms-ml",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "ms-ml", "namespace": "knowledge"}
    ]
    assert deployment["spec"]["template"]["spec"]["automountServiceAccountToken"] is True
    policy = _one(objects, "NetworkPolicy", "ms-ml")
    assert {
        "ports": [{"port": 443, "protocol": "TCP"}, {"port": 6443, "protocol": "TCP"}]
    } in policy["spec"]["egress"]


@pytest.mark.parametrize("service", [s for s in SERVICES if s not in ("ms-ml", "ms-notifications")])
def test_a_service_that_reaches_nothing_outside_has_no_way_out_and_no_token(service: str) -> None:
    objects = _objects(service)
    assert _external_ports(service) == set()
    assert not {"Role", "RoleBinding"} & {o["kind"] for o in objects}
    deployment = _one(objects, "Deployment", service)
    assert deployment["spec"]["template"]["spec"]["automountServiceAccountToken"] is False
