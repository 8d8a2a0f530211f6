"""A training job as a Kubernetes Job: the manifest is a valid batch/v1 Job of the pinned
Kubernetes version (strict: no unknown field), carries the job's limits, and the worker it runs
reads its spec from the environment and writes the model back inline."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import kubernetes_validate  # type: ignore[import-untyped]

from ms_ml.recipes.catalogue import RECIPES
from ms_ml.recipes.params import read_params
from ms_ml.recipes.reranker_model import load_reranker
from ms_ml.training.jobs import JobLimits, JobState, TrainingJob
from ms_ml.training.kubernetes import ClusterJobSettings, cluster_spec, render_job

KUBERNETES_VERSION = "1.34.0"  # as the platform's charts are checked against
NOW = datetime(2026, 12, 1, tzinfo=UTC)
JOB = TrainingJob(
    name="models/reranker/trainingJobs/" + "a" * 60,
    model="models/reranker",
    recipe="reranker",
    state=JobState.RUNNING,
    dataset_uri="",
    hyperparameters={"epochs": "20"},
    limits=JobLimits(timeout_seconds=900, memory_bytes=1536 * 1024**2),
    creator="users/alice",
    create_time=NOW,
    update_time=NOW,
)
SETTINGS = ClusterJobSettings(
    namespace="knowledge", release="ms-ml", image="registry.example/ms-ml:1.2.3"
)


def _spec() -> dict[str, object]:
    params = read_params(RECIPES["reranker"].params, JOB.hyperparameters)
    return cluster_spec(JOB, params, "reranker")


def test_the_job_manifest_is_a_valid_kubernetes_job_with_the_job_s_limits() -> None:
    manifest = render_job(SETTINGS, JOB, _spec())
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)

    assert len(manifest["metadata"]["name"]) <= 63
    spec = manifest["spec"]
    assert spec["backoffLimit"] == 0
    assert spec["activeDeadlineSeconds"] == 900
    pod = spec["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert spec["template"]["metadata"]["annotations"] == {"sidecar.istio.io/inject": "false"}
    container = pod["containers"][0]
    assert container["image"] == "registry.example/ms-ml:1.2.3"
    assert container["resources"]["limits"]["memory"] == str(1536 * 1024**2)
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    environment = {item["name"]: item["value"] for item in container["env"]}
    assert json.loads(environment["MS_ML_TRAINING_SPEC"])["params"]["epochs"] == 20


async def test_the_pod_s_worker_reads_its_spec_from_the_environment_and_returns_the_model_inline(
    tmp_path: Path,
) -> None:
    manifest = render_job(SETTINGS, JOB, {**_spec(), "output": str(tmp_path / "model")})
    container = manifest["spec"]["template"]["spec"]["containers"][0]
    environment = {**os.environ, **{item["name"]: item["value"] for item in container["env"]}}
    environment["HOME"] = str(tmp_path)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *container["command"][1:],
        *container["args"],
        env=environment,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    outcome = json.loads(out.decode().splitlines()[-1])["outcome"]
    model = tmp_path / "returned.json"
    model.write_bytes(base64.b64decode(outcome["artifact_base64"]))
    assert load_reranker(model).model.features[0] == "dense"
    assert outcome["metrics"]["mrr_at_10"] > outcome["metrics"]["baseline_mrr_at_10"]
