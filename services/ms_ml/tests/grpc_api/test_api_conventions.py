"""The platform's API conventions hold for every List and Update RPC this service serves (the
kit's contract suite); a new one fails here until it gets a seed recipe below."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.ml.v1 import (
    deployment_pb2,
    deployment_service_pb2_grpc,
    model_pb2,
    model_service_pb2_grpc,
    training_job_pb2,
    training_service_pb2_grpc,
)
from knowledge.ml.v1 import deployment_service_pb2 as deployments_pb
from knowledge.ml.v1 import model_service_pb2 as models_pb
from knowledge.ml.v1 import training_service_pb2 as training_pb
from knowledge_kit.testing.api_contract import CONVENTIONS, ApiContract, ListCase, UpdateCase

from .conftest import admin
from .registry_calls import created_model, created_version

ML = "knowledge.ml.v1"


@pytest.fixture
def contract(channel: grpc.aio.Channel, mint_token: Callable[..., str]) -> ApiContract:
    """A seed recipe for each List and Update RPC of the service."""
    models = model_service_pb2_grpc.ModelServiceStub(channel)
    deployments = deployment_service_pb2_grpc.DeploymentServiceStub(channel)
    training = training_service_pb2_grpc.TrainingServiceStub(channel)
    who = admin(mint_token)
    made = iter(range(1_000_000))

    async def model_with_versions(count: int = 2) -> tuple[str, list[model_pb2.ModelVersion]]:
        model = await created_model(channel, who, f"model-{next(made)}")
        versions = [
            await created_version(channel, who, model.name, float(next(made))) for _ in range(count)
        ]
        return model.name, versions

    async def deployment(model: str, version: str) -> deployment_pb2.Deployment:
        answer = await deployments.CreateDeployment(
            deployments_pb.CreateDeploymentRequest(
                parent=model,
                deployment_id=f"serving-{next(made)}",
                deployment=deployment_pb2.Deployment(model_version=version),
            ),
            metadata=who,
        )
        return answer.deployment

    async def list_models() -> ListCase:
        await model_with_versions(0)
        await model_with_versions(0)
        return ListCase(models_pb.ListModelsRequest(), who)

    async def list_versions() -> ListCase:
        model, _ = await model_with_versions()
        other, _ = await model_with_versions(1)
        return ListCase(
            models_pb.ListModelVersionsRequest(parent=model),
            who,
            other_listing=(models_pb.ListModelVersionsRequest(parent=other), who),
        )

    async def aliased() -> str:
        model, versions = await model_with_versions()
        for alias, version in zip(("champion", "challenger"), versions, strict=True):
            await models.SetModelAlias(
                models_pb.SetModelAliasRequest(
                    name=f"{model}/aliases/{alias}", model_version=version.name
                ),
                metadata=who,
            )
        return model

    async def list_aliases() -> ListCase:
        model, other = await aliased(), await aliased()
        return ListCase(
            models_pb.ListModelAliasesRequest(parent=model),
            who,
            other_listing=(models_pb.ListModelAliasesRequest(parent=other), who),
        )

    async def list_transitions() -> ListCase:
        model, other = await aliased(), await aliased()
        return ListCase(
            models_pb.ListModelTransitionsRequest(parent=model),
            who,
            other_listing=(models_pb.ListModelTransitionsRequest(parent=other), who),
        )

    async def list_deployments() -> ListCase:
        model, versions = await model_with_versions()
        other, other_versions = await model_with_versions(1)
        for version in versions:
            await deployment(model, version.name)
        await deployment(other, other_versions[0].name)
        return ListCase(
            deployments_pb.ListDeploymentsRequest(parent=model),
            who,
            other_listing=(deployments_pb.ListDeploymentsRequest(parent=other), who),
        )

    async def revised() -> str:
        model, versions = await model_with_versions()
        made_deployment = await deployment(model, versions[0].name)
        await deployments.UpdateDeployment(
            deployments_pb.UpdateDeploymentRequest(
                deployment=deployment_pb2.Deployment(
                    name=made_deployment.name, model_version=versions[1].name
                ),
                update_mask=FieldMask(paths=["model_version"]),
            ),
            metadata=who,
        )
        return made_deployment.name

    async def list_revisions() -> ListCase:
        name, other = await revised(), await revised()
        return ListCase(
            deployments_pb.ListDeploymentRevisionsRequest(parent=name),
            who,
            other_listing=(deployments_pb.ListDeploymentRevisionsRequest(parent=other), who),
        )

    async def queued(model: str) -> None:
        await training.CreateTrainingJob(
            training_pb.CreateTrainingJobRequest(
                parent=model,
                training_job=training_job_pb2.TrainingJob(
                    recipe="reranker", hyperparameters={"epochs": "5"}
                ),
            ),
            metadata=who,
        )

    async def list_jobs() -> ListCase:
        model, _ = await model_with_versions(0)
        other, _ = await model_with_versions(0)
        for _ in range(2):
            await queued(model)
        await queued(other)
        return ListCase(
            training_pb.ListTrainingJobsRequest(parent=model),
            who,
            other_listing=(training_pb.ListTrainingJobsRequest(parent=other), who),
        )

    async def update_model() -> UpdateCase:
        model = await created_model(channel, who, f"model-{next(made)}")
        request = models_pb.UpdateModelRequest(
            model=model_pb2.Model(name=model.name, description="reranks passages", etag=model.etag),
            update_mask=FieldMask(paths=["description"]),
        )
        return UpdateCase(request, who)

    async def update_version() -> UpdateCase:
        _, (version, _) = await model_with_versions()
        request = models_pb.UpdateModelVersionRequest(
            model_version=model_pb2.ModelVersion(
                name=version.name, description="trained on March", etag=version.etag
            ),
            update_mask=FieldMask(paths=["description"]),
        )
        return UpdateCase(request, who)

    async def update_deployment() -> UpdateCase:
        model, versions = await model_with_versions()
        made_deployment = await deployment(model, versions[0].name)
        request = deployments_pb.UpdateDeploymentRequest(
            deployment=deployment_pb2.Deployment(
                name=made_deployment.name, replicas=3, etag=made_deployment.etag
            ),
            update_mask=FieldMask(paths=["replicas"]),
        )
        return UpdateCase(request, who)

    return ApiContract(
        channel,
        lists={
            f"{ML}.ModelService.ListModels": list_models,
            f"{ML}.ModelService.ListModelVersions": list_versions,
            f"{ML}.ModelService.ListModelAliases": list_aliases,
            f"{ML}.ModelService.ListModelTransitions": list_transitions,
            f"{ML}.DeploymentService.ListDeployments": list_deployments,
            f"{ML}.DeploymentService.ListDeploymentRevisions": list_revisions,
            f"{ML}.TrainingService.ListTrainingJobs": list_jobs,
        },
        updates={
            f"{ML}.ModelService.UpdateModel": update_model,
            f"{ML}.ModelService.UpdateModelVersion": update_version,
            f"{ML}.DeploymentService.UpdateDeployment": update_deployment,
        },
    )


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_the_platform_api_conventions_hold(contract: ApiContract, convention: str) -> None:
    await contract.check(convention)
