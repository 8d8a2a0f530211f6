"""Acting on the model registry from the web app's model page, as people do in headless
Chromium: an administrator sets an alias on a version and moves it to another, is told why the
model's metric gate refuses a version, and that a version does not exist or an alias is
malformed; splits a deployment's traffic for a canary (shares that do not add up to 100% are a
form error), then rolls it back; deletes an alias another tab deleted meanwhile and is told it
is gone; queues a training job and cancels it, its live log ending CANCELLED. The model's history
shows each move of the alias, newest first: who, from which version to which, and why. A plain
user is told only administrators may change the registry. ms_ml holds what the page said, and axe-core
finds no serious fault on the models page, the model's or the job's."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator

import grpc
from knowledge.ml.v1 import (
    artifact_service_pb2,
    artifact_service_pb2_grpc,
    deployment_pb2,
    deployment_service_pb2_grpc,
    model_pb2,
    model_service_pb2_grpc,
    training_job_pb2,
    training_service_pb2_grpc,
)
from knowledge.ml.v1 import deployment_service_pb2 as deployment_rpc
from knowledge.ml.v1 import model_service_pb2 as model_rpc
from knowledge.ml.v1 import training_service_pb2 as training_rpc

from .browser_probes import CHROMIUM, probe_lines
from .edge_harness import (
    PASSWORD,
    PLATFORM_ADMIN,
    PlatformUp,
    admin_token,
    bearer,
    register,
    unique_email,
)

PROBE_DEADLINE = 480.0
"""Each step may take a quarter of it: a registry change re-renders the page from six reads of
ms_ml, slow on a loaded machine (one step once took over 75 s at a load average of 14)."""
GATE = model_pb2.MetricGate(
    metric="ndcg_at_10",
    comparison=model_pb2.METRIC_COMPARISON_GREATER_THAN_OR_EQUAL,
    threshold=0.5,
)
# Version 1 and 2 meet the gate, version 3 does not.
NDCG = (0.9, 0.8, 0.2)


def upload(data: bytes) -> Iterator[artifact_service_pb2.UploadArtifactRequest]:
    yield artifact_service_pb2.UploadArtifactRequest(
        header=artifact_service_pb2.ArtifactUploadHeader(
            size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest()
        )
    )
    yield artifact_service_pb2.UploadArtifactRequest(chunk=data)


def gated_model_with_a_deployment(channel: grpc.Channel, token: str, model_id: str) -> str:
    """A model gated on ndcg_at_10 >= 0.5 with three linear versions (NDCG), the first deployed
    as "canary"; the deployment's name."""
    models = model_service_pb2_grpc.ModelServiceStub(channel)
    model = models.CreateModel(
        model_rpc.CreateModelRequest(
            model=model_pb2.Model(display_name=f"Gated ranker {model_id}", gates=[GATE]),
            model_id=model_id,
        ),
        metadata=bearer(token),
    ).model
    artifacts = artifact_service_pb2_grpc.ArtifactServiceStub(channel)
    for weight, ndcg in enumerate(NDCG, start=1):
        data = json.dumps({"weights": [float(weight)], "bias": 0.0}).encode()
        artifact = artifacts.UploadArtifact(upload(data), metadata=bearer(token)).artifact
        models.CreateModelVersion(
            model_rpc.CreateModelVersionRequest(
                parent=model.name,
                model_version=model_pb2.ModelVersion(
                    artifact_uri=artifact.name,
                    size_bytes=artifact.size_bytes,
                    format="linear-json",
                    metrics={"ndcg_at_10": ndcg},
                ),
            ),
            metadata=bearer(token),
        )
    return str(
        deployment_service_pb2_grpc.DeploymentServiceStub(channel)
        .CreateDeployment(
            deployment_rpc.CreateDeploymentRequest(
                parent=model.name,
                deployment=deployment_pb2.Deployment(model_version=f"{model.name}/versions/1"),
                deployment_id="canary",
            ),
            metadata=bearer(token),
        )
        .deployment.name
    )


def test_an_administrator_moves_aliases_splits_traffic_and_cancels_a_job_from_the_page(
    platform: PlatformUp,
) -> None:
    model_id = f"gated-{uuid.uuid4().hex[:8]}"
    model = f"models/{model_id}"
    token = admin_token(platform)
    with grpc.insecure_channel(platform.edge_target) as channel:
        deployment = gated_model_with_a_deployment(channel, token, model_id)
    user = unique_email()
    register(platform, user)

    lines = probe_lines(
        "web_app_models.mjs",
        {
            "chromium": CHROMIUM,
            "url": platform.edge_url,
            "admin": PLATFORM_ADMIN,
            "user": user,
            "password": PASSWORD,
            "model": model,
            "deployment": deployment,
            "deadlineSeconds": PROBE_DEADLINE / 4,
        },
        timeout=PROBE_DEADLINE,
    )
    said = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in lines if " " in line}
    axe = [json.loads(line.split(" ", 2)[2]) for line in lines if line.startswith("axe ")]
    assert said["gates"].startswith("A version takes an alias only if it meets: ndcg_at_10 >= 0.5.")
    assert said["aliases"] == "before none"
    assert said["set"] == "champion now points at version 1."
    assert said["moved"] == "champion moved from version 1 to version 2."
    assert said["moves"] == "before none"
    assert [line for line in lines if line.startswith("history you")] == [
        "history you | alias champion | version 1 | version 2 | version 2 ranks better | timed",
        "history you | alias champion | none | version 1 | first ranker | timed",
    ]
    assert said["version"] == "2 holds champion"
    assert said["production"] == "production now points at version 1."
    assert said["gate"] == (
        f"Refused: version 3 of {model_id} may not take alias production: "
        "gate ndcg_at_10 >= 0.5 fails: ndcg_at_10 is 0.2."
    )
    assert said["missing"] == f"Version 99 of {model_id} does not exist."
    assert said["malformed"].startswith("An alias is 1 to 63 lowercase letters, digits and dashes")
    assert said["deleted"] == f"twice Alias production of {model_id} does not exist."
    assert said["uneven"] == "The shares add up to 90%; they must add up to 100%."
    deployment_lines = [line for line in lines if line.startswith("deployment ")]
    assert deployment_lines == [
        "deployment Revision 1 · serving · version 1 100%",
        "deployment Revision 2 · serving · version 1 60%, version 2 40%",
        "deployment Revision 3 · serving · version 1 100%",
    ]
    assert said["split"] == "Revision 2 serves the new split."
    assert said["rollback"] == "Rolled back: revision 3 serves the previous traffic."
    assert re.fullmatch(
        r"(queued|running) then cancelled without a reload; log ended; cancel button gone",
        said["cancel"],
    ), said["cancel"]
    assert said["user"].startswith("Only administrators may change the model registry")
    assert axe == [[], [], []]
    assert lines[-1] == "problems: []"

    job_name = "models/" + said["job"].replace("/jobs/", "/trainingJobs/")
    with grpc.insecure_channel(platform.edge_target) as channel:
        alias = (
            model_service_pb2_grpc.ModelServiceStub(channel)
            .GetModelAlias(
                model_rpc.GetModelAliasRequest(name=f"{model}/aliases/champion"),
                metadata=bearer(token),
            )
            .alias
        )
        cancelled = (
            training_service_pb2_grpc.TrainingServiceStub(channel)
            .GetTrainingJob(
                training_rpc.GetTrainingJobRequest(name=job_name), metadata=bearer(token)
            )
            .training_job
        )
        served = (
            deployment_service_pb2_grpc.DeploymentServiceStub(channel)
            .GetDeployment(
                deployment_rpc.GetDeploymentRequest(name=deployment), metadata=bearer(token)
            )
            .deployment
        )
        aliases = (
            model_service_pb2_grpc.ModelServiceStub(channel)
            .ListModelAliases(
                model_rpc.ListModelAliasesRequest(parent=model), metadata=bearer(token)
            )
            .aliases
        )
    assert [held.name for held in aliases] == [f"{model}/aliases/champion"]
    assert alias.model_version == f"{model}/versions/2"
    assert cancelled.state == training_job_pb2.TRAINING_JOB_STATE_CANCELLED
    assert (served.revision, [split.percent for split in served.traffic]) == (3, [100])
