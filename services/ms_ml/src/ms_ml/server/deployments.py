"""knowledge.ml.v1.DeploymentService on the deployment use cases."""

from __future__ import annotations

from typing import Any

import grpc
from knowledge.ml.v1 import deployment_service_pb2, deployment_service_pb2_grpc
from knowledge_kit.api import caller_name, update_paths

from ..service.deployments import UPDATABLE_DEPLOYMENT_FIELDS, Deployments
from .messages import deployment_message, page_response, revision_message, splits_of

Context = grpc.aio.ServicerContext[Any, Any]
pb = deployment_service_pb2


class DeploymentServicer(deployment_service_pb2_grpc.DeploymentServiceServicer):
    """Deployments, their revisions and rollbacks."""

    def __init__(self, deployments: Deployments) -> None:
        self._deployments = deployments

    async def CreateDeployment(
        self, request: pb.CreateDeploymentRequest, context: Context
    ) -> pb.CreateDeploymentResponse:
        given = request.deployment
        deployment = await self._deployments.create(
            request.parent,
            request.deployment_id,
            splits_of(list(given.traffic)),
            given.model_version,
            given.replicas,
            caller_name(),
        )
        return pb.CreateDeploymentResponse(deployment=deployment_message(deployment))

    async def GetDeployment(
        self, request: pb.GetDeploymentRequest, context: Context
    ) -> pb.GetDeploymentResponse:
        deployment = await self._deployments.get(request.name)
        return pb.GetDeploymentResponse(deployment=deployment_message(deployment))

    async def ListDeployments(
        self, request: pb.ListDeploymentsRequest, context: Context
    ) -> pb.ListDeploymentsResponse:
        page = await self._deployments.list_deployments(
            request.parent, request.page_size, request.page_token
        )
        return page_response(pb.ListDeploymentsResponse, "deployments", page, deployment_message)

    async def UpdateDeployment(
        self, request: pb.UpdateDeploymentRequest, context: Context
    ) -> pb.UpdateDeploymentResponse:
        given = request.deployment
        paths = update_paths(request.update_mask, given, UPDATABLE_DEPLOYMENT_FIELDS)
        deployment = await self._deployments.update(
            given.name,
            paths,
            traffic=splits_of(list(given.traffic)),
            model_version=given.model_version,
            replicas=given.replicas,
            etag=given.etag,
            reason=request.reason,
            actor=caller_name(),
        )
        return pb.UpdateDeploymentResponse(deployment=deployment_message(deployment))

    async def DeleteDeployment(
        self, request: pb.DeleteDeploymentRequest, context: Context
    ) -> pb.DeleteDeploymentResponse:
        await self._deployments.delete(request.name, caller_name())
        return pb.DeleteDeploymentResponse()

    async def RollbackDeployment(
        self, request: pb.RollbackDeploymentRequest, context: Context
    ) -> pb.RollbackDeploymentResponse:
        deployment, revision = await self._deployments.rollback(
            request.name, request.revision, request.reason, caller_name()
        )
        return pb.RollbackDeploymentResponse(
            deployment=deployment_message(deployment), revision=revision_message(revision)
        )

    async def ListDeploymentRevisions(
        self, request: pb.ListDeploymentRevisionsRequest, context: Context
    ) -> pb.ListDeploymentRevisionsResponse:
        page = await self._deployments.list_revisions(
            request.parent, request.page_size, request.page_token
        )
        return page_response(
            pb.ListDeploymentRevisionsResponse, "revisions", page, revision_message
        )
