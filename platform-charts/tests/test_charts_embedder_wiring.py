"""ms-vector follows the embedder ms-ml serves in a cluster: it signs in at ms-auth as its service
account (the secret from a Secret ms-auth provisions the account from), reads ms-ml as it, and
keeps the versions it downloads on a scratch volume; ms-ml's training work directories and
artifact cache have one of their own, beyond the pods' small /tmp. A local run (`fleet up`) signs
ms_vector in as the same account, following the same alias."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet.manifest import load_manifest
from fleet.up.layout import UpLayout
from fleet.up.ports import PortPlan
from fleet.up.service_env import service_environment

from .chart_edits import REPO_ROOT

GOLDEN = REPO_ROOT / "platform-charts/golden"
SCENARIOS = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())
ACCOUNT_SECRET = {"name": "ms-vector-service-account", "key": "secret"}


def _objects(scenario: str, chart: str) -> list[dict[str, Any]]:
    text = (GOLDEN / scenario / f"{chart}.yaml").read_text(encoding="utf-8")
    return [document for document in yaml.safe_load_all(text) if document]


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def _pod(scenario: str, chart: str) -> dict[str, Any]:
    deployment = _one(_objects(scenario, chart), "Deployment", chart)
    pod: dict[str, Any] = deployment["spec"]["template"]["spec"]
    return pod


def _env(container: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(v["name"], v.get("value", v.get("valueFrom"))) for v in container["env"]]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ms_vector_follows_the_embedder_alias_as_its_service_account(scenario: str) -> None:
    [container] = _pod(scenario, "ms-vector")["containers"]
    env = dict(_env(container))
    assert env["MS_VECTOR_EMBEDDER_ALIAS"] == "production"
    assert env["MS_VECTOR_SERVICE_ACCOUNT"] == "serviceAccounts/ms-vector"
    assert env["MS_VECTOR_SERVICE_ACCOUNT_SECRET"] == {"secretKeyRef": ACCOUNT_SECRET}
    assert env["MS_VECTOR_MODEL_CACHE_DIR"] == "/scratch/models"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ms_auth_provisions_ms_vectors_account_from_the_same_secret(scenario: str) -> None:
    [container] = _pod(scenario, "ms-auth")["containers"]
    env = _env(container)
    names = [name for name, _ in env]
    accounts = json.loads(dict(env)["MS_AUTH_SERVICE_ACCOUNTS"])
    assert [(a["name"], a["display_name"]) for a in accounts] == [
        ("serviceAccounts/ms-vector", "ms_vector")
    ]
    [reference] = re.fullmatch(r"\$\((\w+)\)", accounts[0]["secret"]).groups()  # type: ignore[union-attr]
    # The kubelet expands $(NAME) only from variables listed before it.
    assert names.index(reference) < names.index("MS_AUTH_SERVICE_ACCOUNTS")
    assert dict(env)[reference] == {"secretKeyRef": ACCOUNT_SECRET}
    assert not reference.startswith("MS_AUTH_"), "ms_auth refuses variables that are no setting"


def test_ms_vector_may_sign_in_at_ms_auth_and_read_the_embedder_from_ms_ml() -> None:
    vector = "cluster.local/ns/knowledge/sa/ms-vector"
    auth_rules = _one(_objects("default", "ms-auth"), "AuthorizationPolicy", "ms-auth")["spec"]
    [open_to_vector] = [
        rule
        for rule in auth_rules["rules"]
        if vector in rule.get("from", [{}])[0].get("source", {}).get("principals", [])
    ]
    assert "/knowledge.auth.v1.AuthService/*" in open_to_vector["to"][0]["operation"]["paths"]
    ml_rules = _one(_objects("default", "ms-ml"), "AuthorizationPolicy", "ms-ml")["spec"]
    [ml_rule] = [
        rule
        for rule in ml_rules["rules"]
        if rule.get("from", [{}])[0].get("source", {}).get("principals") == [vector]
    ]
    assert ml_rule["to"][0]["operation"]["paths"] == [
        "/knowledge.ml.v1.ModelService/GetModelVersion",
        "/knowledge.ml.v1.ArtifactService/DownloadArtifact",
    ]
    egress = _one(_objects("default", "ms-vector"), "NetworkPolicy", "ms-vector")["spec"]["egress"]
    for callee, port in (("ms-auth", 50051), ("ms-ml", 50058)):
        assert {
            "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": callee}}}],
            "ports": [{"protocol": "TCP", "port": port}],
        } in egress


@pytest.mark.parametrize(
    ("chart", "size", "settings"),
    [
        (
            "ms-ml",
            "20Gi",
            {"MS_ML_TRAINING_WORK_DIR": "training", "MS_ML_ARTIFACT_CACHE_DIR": "artifact-cache"},
        ),
        ("ms-vector", "4Gi", {"MS_VECTOR_MODEL_CACHE_DIR": "models"}),
    ],
)
def test_a_service_that_writes_more_than_tmp_holds_has_a_sized_scratch_volume(
    chart: str, size: str, settings: dict[str, str]
) -> None:
    pod = _pod("default", chart)
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert volumes["scratch"] == {"name": "scratch", "emptyDir": {"sizeLimit": size}}
    assert volumes["tmp"]["emptyDir"] == {"sizeLimit": "256Mi"}
    [container] = pod["containers"]
    assert {"name": "scratch", "mountPath": "/scratch"} in container["volumeMounts"]
    assert container["resources"]["requests"]["ephemeral-storage"] == size
    env = dict(_env(container))
    for variable, directory in settings.items():
        assert env[variable] == f"/scratch/{directory}"


def test_a_service_without_scratch_needs_keeps_only_tmp() -> None:
    pod = _pod("default", "ms-chat")
    assert [volume["name"] for volume in pod["volumes"]] == ["tmp", "kafka-cluster-ca"]
    [container] = pod["containers"]
    assert "ephemeral-storage" not in container["resources"]["requests"]


def test_the_migration_job_does_not_ask_for_the_scratch_volume() -> None:
    objects = _objects("default", "ms-ml")
    job = _one(objects, "Job", "ms-ml-migrations")
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert "ephemeral-storage" not in container["resources"]["requests"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_local_run_signs_ms_vector_in_as_the_same_account_following_the_same_alias(
    scenario: str, tmp_path: Path
) -> None:
    manifest = load_manifest(REPO_ROOT)
    ports = PortPlan(edge=8080, edge_grpc=8090, broker=19092)
    local = service_environment(
        manifest.service("ms_vector"), manifest, UpLayout(home=tmp_path), ports, "b:9092"
    )
    auth = service_environment(
        manifest.service("ms_auth"), manifest, UpLayout(home=tmp_path), ports, "b:9092"
    )
    [container] = _pod(scenario, "ms-vector")["containers"]
    cluster = dict(_env(container))
    [auth_container] = _pod(scenario, "ms-auth")["containers"]
    cluster_accounts = json.loads(dict(_env(auth_container))["MS_AUTH_SERVICE_ACCOUNTS"])
    local_accounts = json.loads(auth["MS_AUTH_SERVICE_ACCOUNTS"])

    for setting in ("MS_VECTOR_SERVICE_ACCOUNT", "MS_VECTOR_EMBEDDER_ALIAS"):
        assert local[setting] == cluster[setting], setting
    assert [a["name"] for a in local_accounts] == [a["name"] for a in cluster_accounts]
