"""knowledge.ml.v1.ModelService: the registry's RPCs on the registry and promotion use cases."""

from __future__ import annotations

from typing import Any

import grpc
from knowledge.ml.v1 import model_pb2, model_service_pb2, model_service_pb2_grpc
from knowledge_kit.api import caller_name, update_paths

from ..domain.checks import checked_gates
from ..domain.models import VersionDraft
from ..domain.names import ARTIFACT, invalid
from ..service.promotions import Promotions
from ..service.registry import (
    UPDATABLE_MODEL_FIELDS,
    UPDATABLE_VERSION_FIELDS,
    ModelFields,
    Registry,
)
from .messages import (
    alias_message,
    gate_tuples,
    model_message,
    page_response,
    transition_message,
    version_message,
)

Context = grpc.aio.ServicerContext[Any, Any]
pb = model_service_pb2


class ModelServicer(model_service_pb2_grpc.ModelServiceServicer):
    """Models, versions, aliases, stages and their history."""

    def __init__(self, registry: Registry, promotions: Promotions) -> None:
        self._registry = registry
        self._promotions = promotions

    async def CreateModel(
        self, request: pb.CreateModelRequest, context: Context
    ) -> pb.CreateModelResponse:
        model = await self._registry.create_model(
            request.model_id, _fields(request.model), caller_name()
        )
        return pb.CreateModelResponse(model=model_message(model))

    async def GetModel(self, request: pb.GetModelRequest, context: Context) -> pb.GetModelResponse:
        return pb.GetModelResponse(
            model=model_message(await self._registry.get_model(request.name))
        )

    async def ListModels(
        self, request: pb.ListModelsRequest, context: Context
    ) -> pb.ListModelsResponse:
        page = await self._registry.list_models(request.page_size, request.page_token)
        return page_response(pb.ListModelsResponse, "models", page, model_message)

    async def UpdateModel(
        self, request: pb.UpdateModelRequest, context: Context
    ) -> pb.UpdateModelResponse:
        paths = update_paths(request.update_mask, request.model, UPDATABLE_MODEL_FIELDS)
        model = await self._registry.update_model(
            request.model.name, paths, _fields(request.model), etag=request.model.etag
        )
        return pb.UpdateModelResponse(model=model_message(model))

    async def DeleteModel(
        self, request: pb.DeleteModelRequest, context: Context
    ) -> pb.DeleteModelResponse:
        await self._registry.delete_model(request.name, caller_name())
        return pb.DeleteModelResponse()

    async def CreateModelVersion(
        self, request: pb.CreateModelVersionRequest, context: Context
    ) -> pb.CreateModelVersionResponse:
        given = request.model_version
        version = await self._registry.create_version(
            request.parent,
            VersionDraft(
                sha256=_sha256(given),
                size_bytes=given.size_bytes,
                format=given.format,
                metrics=dict(given.metrics),
                params=dict(given.params),
                tags=dict(given.tags),
                training_job=given.training_job,
                source_commit=given.source_commit,
                description=given.description,
            ),
            caller_name(),
        )
        return pb.CreateModelVersionResponse(model_version=version_message(version))

    async def GetModelVersion(
        self, request: pb.GetModelVersionRequest, context: Context
    ) -> pb.GetModelVersionResponse:
        version = await self._registry.get_version(request.name)
        return pb.GetModelVersionResponse(model_version=version_message(version))

    async def ListModelVersions(
        self, request: pb.ListModelVersionsRequest, context: Context
    ) -> pb.ListModelVersionsResponse:
        page = await self._registry.list_versions(
            request.parent, int(request.stage), request.page_size, request.page_token
        )
        return page_response(pb.ListModelVersionsResponse, "model_versions", page, version_message)

    async def SearchModelVersions(
        self, request: pb.SearchModelVersionsRequest, context: Context
    ) -> pb.SearchModelVersionsResponse:
        page = await self._registry.search_versions(
            request.parent,
            [(c.metric, int(c.comparison), c.value) for c in request.metric_conditions],
            dict(request.tags),
            request.order_by_metric,
            request.ascending,
            request.page_size,
            request.page_token,
        )
        return page_response(
            pb.SearchModelVersionsResponse, "model_versions", page, version_message
        )

    async def UpdateModelVersion(
        self, request: pb.UpdateModelVersionRequest, context: Context
    ) -> pb.UpdateModelVersionResponse:
        given = request.model_version
        paths = update_paths(request.update_mask, given, UPDATABLE_VERSION_FIELDS)
        version = await self._registry.update_version(
            given.name,
            paths,
            description=given.description,
            tags=dict(given.tags),
            metrics=dict(given.metrics),
            etag=given.etag,
        )
        return pb.UpdateModelVersionResponse(model_version=version_message(version))

    async def DeleteModelVersion(
        self, request: pb.DeleteModelVersionRequest, context: Context
    ) -> pb.DeleteModelVersionResponse:
        await self._registry.delete_version(
            request.name, caller_name(), self._promotions.release_all
        )
        return pb.DeleteModelVersionResponse()

    async def PromoteModelVersion(
        self, request: pb.PromoteModelVersionRequest, context: Context
    ) -> pb.PromoteModelVersionResponse:
        version, archived, transition = await self._promotions.promote(
            request.name, int(request.stage), request.reason, caller_name()
        )
        return pb.PromoteModelVersionResponse(
            model_version=version_message(version),
            archived_model_version=archived,
            transition=transition_message(transition) if transition else None,
        )

    async def SetModelAlias(
        self, request: pb.SetModelAliasRequest, context: Context
    ) -> pb.SetModelAliasResponse:
        alias, transition = await self._promotions.set_alias(
            request.name, request.model_version, request.reason, caller_name()
        )
        return pb.SetModelAliasResponse(
            alias=alias_message(alias),
            previous_model_version=transition.previous_model_version if transition else "",
            transition=transition_message(transition) if transition else None,
        )

    async def GetModelAlias(
        self, request: pb.GetModelAliasRequest, context: Context
    ) -> pb.GetModelAliasResponse:
        return pb.GetModelAliasResponse(
            alias=alias_message(await self._promotions.get_alias(request.name))
        )

    async def ListModelAliases(
        self, request: pb.ListModelAliasesRequest, context: Context
    ) -> pb.ListModelAliasesResponse:
        page = await self._promotions.list_aliases(
            request.parent, request.page_size, request.page_token
        )
        return page_response(pb.ListModelAliasesResponse, "aliases", page, alias_message)

    async def DeleteModelAlias(
        self, request: pb.DeleteModelAliasRequest, context: Context
    ) -> pb.DeleteModelAliasResponse:
        await self._promotions.delete_alias(request.name, request.reason, caller_name())
        return pb.DeleteModelAliasResponse()

    async def ListModelTransitions(
        self, request: pb.ListModelTransitionsRequest, context: Context
    ) -> pb.ListModelTransitionsResponse:
        page = await self._promotions.list_transitions(
            request.parent,
            request.model_version,
            request.alias,
            request.page_size,
            request.page_token,
        )
        return page_response(
            pb.ListModelTransitionsResponse, "transitions", page, transition_message
        )


def _fields(model: model_pb2.Model) -> ModelFields:
    return ModelFields(
        display_name=model.display_name,
        description=model.description,
        task=model.task,
        tags=dict(model.tags),
        gates=checked_gates(gate_tuples(list(model.gates)), "model.gates"),
    )


def _sha256(version: model_pb2.ModelVersion) -> str:
    """The artifact's SHA-256 from artifact_uri (artifacts/{sha256}) or the sha256 field."""
    from_uri = ""
    if version.artifact_uri:
        from_uri = ARTIFACT.parse(version.artifact_uri, "model_version.artifact_uri")["digest"]
    if from_uri and version.sha256 and from_uri != version.sha256:
        raise invalid("model_version.sha256", "must be the SHA-256 that artifact_uri names")
    return from_uri or version.sha256
