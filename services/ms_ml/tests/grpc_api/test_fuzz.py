"""Every RPC of every service this server serves answers hostile requests (bytes that do not
parse, huge and extreme values, NUL characters) with a deliberate status, never UNKNOWN or
INTERNAL, and the service stays SERVING. Methods come from the server's reflection: a new RPC is
fuzzed without a line here (a seed below only helps its cases past the first checks)."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from knowledge.ml.v1 import artifact_service_pb2 as artifacts_pb
from knowledge.ml.v1 import (
    deployment_pb2,
    deployment_service_pb2_grpc,
    model_pb2,
    training_job_pb2,
    training_service_pb2_grpc,
)
from knowledge.ml.v1 import deployment_service_pb2 as deployments_pb
from knowledge.ml.v1 import inference_service_pb2 as inference_pb
from knowledge.ml.v1 import model_service_pb2 as models_pb
from knowledge.ml.v1 import training_service_pb2 as training_pb
from knowledge_kit.testing.fuzz_server import fuzz_server

from .conftest import admin
from .registry_calls import created_model, created_version

# The whole run stays within about 20 seconds: cases left over are counted, not sent.
BUDGET_SECONDS = 16.0


async def seeds(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> dict[str, dict[str, Message]]:
    """A valid request per method (by service, then method name), on resources that exist, so
    that each case changes one field of a request that would succeed."""
    who = admin(mint_token)
    model = await created_model(channel, who, "ranker")
    version = await created_version(channel, who, model.name, 2.0, ndcg_at_10=0.7)
    deployment = (
        await deployment_service_pb2_grpc.DeploymentServiceStub(channel).CreateDeployment(
            deployments_pb.CreateDeploymentRequest(
                parent=model.name,
                deployment_id="serving",
                deployment=deployment_pb2.Deployment(model_version=version.name),
            ),
            metadata=who,
        )
    ).deployment
    job = (
        await training_service_pb2_grpc.TrainingServiceStub(channel).CreateTrainingJob(
            training_pb.CreateTrainingJobRequest(
                parent=model.name,
                training_job=training_job_pb2.TrainingJob(
                    recipe="reranker", hyperparameters={"epochs": "5"}
                ),
            ),
            metadata=who,
        )
    ).training_job
    alias = f"{model.name}/aliases/champion"
    return {
        "ModelService": {
            "CreateModel": models_pb.CreateModelRequest(
                model=model_pb2.Model(display_name="Other"), model_id="other"
            ),
            "GetModel": models_pb.GetModelRequest(name=model.name),
            "ListModels": models_pb.ListModelsRequest(page_size=2),
            "UpdateModel": models_pb.UpdateModelRequest(
                model=model_pb2.Model(name=model.name, description="x", etag=model.etag),
                update_mask=FieldMask(paths=["description"]),
            ),
            "DeleteModel": models_pb.DeleteModelRequest(name="models/unknown"),
            "CreateModelVersion": models_pb.CreateModelVersionRequest(
                parent=model.name,
                model_version=model_pb2.ModelVersion(
                    artifact_uri=version.artifact_uri,
                    size_bytes=version.size_bytes,
                    format="linear-json",
                    metrics={"ndcg_at_10": 0.5},
                ),
            ),
            "GetModelVersion": models_pb.GetModelVersionRequest(name=version.name),
            "ListModelVersions": models_pb.ListModelVersionsRequest(parent=model.name),
            "SearchModelVersions": models_pb.SearchModelVersionsRequest(
                parent="models/-",
                metric_conditions=[
                    models_pb.MetricCondition(
                        metric="ndcg_at_10",
                        comparison=model_pb2.METRIC_COMPARISON_GREATER_THAN,
                        value=0.1,
                    )
                ],
                order_by_metric="ndcg_at_10",
            ),
            "UpdateModelVersion": models_pb.UpdateModelVersionRequest(
                model_version=model_pb2.ModelVersion(name=version.name, description="y"),
                update_mask=FieldMask(paths=["description"]),
            ),
            "DeleteModelVersion": models_pb.DeleteModelVersionRequest(
                name=f"{model.name}/versions/99"
            ),
            "PromoteModelVersion": models_pb.PromoteModelVersionRequest(
                name=version.name, stage=model_pb2.MODEL_STAGE_STAGING, reason="try"
            ),
            "SetModelAlias": models_pb.SetModelAliasRequest(
                name=alias, model_version=version.name, reason="best"
            ),
            "GetModelAlias": models_pb.GetModelAliasRequest(name=alias),
            "ListModelAliases": models_pb.ListModelAliasesRequest(parent=model.name),
            "DeleteModelAlias": models_pb.DeleteModelAliasRequest(
                name=f"{model.name}/aliases/nobody"
            ),
            "ListModelTransitions": models_pb.ListModelTransitionsRequest(parent=model.name),
        },
        "ArtifactService": {
            "DownloadArtifact": artifacts_pb.DownloadArtifactRequest(name=version.artifact_uri),
            "GetArtifact": artifacts_pb.GetArtifactRequest(name=version.artifact_uri),
        },
        "DeploymentService": {
            "CreateDeployment": deployments_pb.CreateDeploymentRequest(
                parent=model.name,
                deployment_id="canary",
                deployment=deployment_pb2.Deployment(
                    traffic=[deployment_pb2.TrafficSplit(model_version=version.name, percent=100)]
                ),
            ),
            "GetDeployment": deployments_pb.GetDeploymentRequest(name=deployment.name),
            "ListDeployments": deployments_pb.ListDeploymentsRequest(parent=model.name),
            "UpdateDeployment": deployments_pb.UpdateDeploymentRequest(
                deployment=deployment_pb2.Deployment(name=deployment.name, replicas=2),
                update_mask=FieldMask(paths=["replicas"]),
            ),
            "DeleteDeployment": deployments_pb.DeleteDeploymentRequest(
                name=f"{model.name}/deployments/unknown"
            ),
            "RollbackDeployment": deployments_pb.RollbackDeploymentRequest(
                name=deployment.name, revision=1
            ),
            "ListDeploymentRevisions": deployments_pb.ListDeploymentRevisionsRequest(
                parent=deployment.name
            ),
        },
        "InferenceService": {
            "Predict": inference_pb.PredictRequest(
                deployment=deployment.name,
                request_key="user-1",
                inputs=[inference_pb.PredictionInput(features=[1.0])],
            ),
            "Embed": inference_pb.EmbedRequest(deployment=deployment.name, texts=["hello"]),
        },
        "TrainingService": {
            "CreateTrainingJob": training_pb.CreateTrainingJobRequest(
                parent=model.name,
                training_job=training_job_pb2.TrainingJob(
                    recipe="reranker", hyperparameters={"epochs": "5"}
                ),
            ),
            "GetTrainingJob": training_pb.GetTrainingJobRequest(name=job.name),
            "ListTrainingJobs": training_pb.ListTrainingJobsRequest(parent=model.name),
            "CancelTrainingJob": training_pb.CancelTrainingJobRequest(name=job.name),
        },
    }


async def test_every_rpc_answers_hostile_requests_with_a_deliberate_status(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    by_service = await seeds(channel, mint_token)
    await fuzz_server(
        channel, metadata=admin(mint_token), seeds=by_service, budget_seconds=BUDGET_SECONDS
    )
