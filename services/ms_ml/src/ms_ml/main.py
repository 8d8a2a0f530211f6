"""The composition root: the service's parts, wired once; the kit's runtime starts and stops them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.ml.v1 import (
    artifact_service_pb2_grpc,
    deployment_service_pb2_grpc,
    inference_service_pb2_grpc,
    model_service_pb2_grpc,
)
from knowledge_kit.api import PageTokens
from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.events import Outbox
from knowledge_kit.rpc import RpcStep, ServiceServer, default_steps
from knowledge_kit.runtime import Registration, ServiceContext, ServiceParts, run_service
from knowledge_kit.settings import ServiceSettings
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .adapters.local_artifacts import LocalArtifactStore
from .adapters.s3_artifacts import S3ArtifactStore
from .config import Settings
from .domain.artifacts import ArtifactStore
from .middleware.registry_writes import RequireRegistryWriter
from .repository.serving import ServingReads
from .server.artifacts import ArtifactServicer
from .server.deployments import DeploymentServicer
from .server.inference import InferenceServicer
from .server.models import ModelServicer
from .service.artifacts import Artifacts
from .service.deployments import Deployments
from .service.embedder import register_embedder
from .service.formats import FORMATS
from .service.inference import Inference
from .service.loading import LoadedVersions
from .service.promotions import Promotions
from .service.registration import VersionRegistration
from .service.registry import Registry
from .service.work import Transactions
from .training.parts import training_config, training_parts

MIGRATIONS = Path(__file__).parent / "migrations"
_PACKAGE = "/knowledge.ml.v1."
REGISTRY_WRITES = tuple(
    f"{_PACKAGE}{service}/{method}"
    for service, methods in {
        "ModelService": (
            "CreateModel",
            "UpdateModel",
            "DeleteModel",
            "CreateModelVersion",
            "UpdateModelVersion",
            "DeleteModelVersion",
            "PromoteModelVersion",
            "SetModelAlias",
            "DeleteModelAlias",
        ),
        "ArtifactService": ("UploadArtifact",),
        "DeploymentService": (
            "CreateDeployment",
            "UpdateDeployment",
            "DeleteDeployment",
            "RollbackDeployment",
        ),
        "TrainingService": ("CreateTrainingJob", "CancelTrainingJob"),
    }.items()
    for method in methods
)


@dataclass(frozen=True, slots=True)
class MlParts:
    """The use cases on one database and one artifact store."""

    registry: Registry
    promotions: Promotions
    artifacts: Artifacts
    deployments: Deployments
    inference: Inference
    registration: VersionRegistration


def artifact_store(settings: Settings) -> ArtifactStore:
    """The local filesystem, or S3-compatible object storage when artifact_store is s3."""
    if settings.artifact_store == "s3":
        return S3ArtifactStore(
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            cache=Path(settings.artifact_cache_dir),
            max_bytes=settings.artifact_max_bytes,
            endpoint_url=settings.s3_endpoint_url or None,
            region=settings.s3_region or None,
            access_key_id=settings.s3_access_key_id or None,
            secret_access_key=settings.s3_secret_access_key or None,
        )
    return LocalArtifactStore(Path(settings.artifact_dir), max_bytes=settings.artifact_max_bytes)


def ml_parts(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    store: ArtifactStore,
    pages: PageTokens,
) -> MlParts:
    """Wires the use cases."""
    work = Transactions(sessions)
    loaded = LoadedVersions(
        store,
        FORMATS,
        Path(settings.artifact_cache_dir) / "loaded",
        capacity=settings.loaded_versions,
    )
    registry = Registry(work, outbox, pages, store, FORMATS)
    artifacts = Artifacts(work, store)
    return MlParts(
        registry=registry,
        promotions=Promotions(work, outbox, pages),
        artifacts=artifacts,
        deployments=Deployments(work, outbox, pages, loaded),
        inference=Inference(
            work,
            ServingReads(_engine_of(sessions)),
            loaded,
            max_inputs=settings.max_inputs_per_request,
        ),
        registration=VersionRegistration(artifacts, registry),
    )


def _engine_of(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine):
        raise TypeError("the sessions must be bound to an engine")
    return engine


def servicers(parts: MlParts) -> list[Registration]:
    """Every servicer of the registry and serving, with its generated registration function."""
    return [
        (
            model_service_pb2_grpc.add_ModelServiceServicer_to_server,
            ModelServicer(parts.registry, parts.promotions),
        ),
        (
            artifact_service_pb2_grpc.add_ArtifactServiceServicer_to_server,
            ArtifactServicer(parts.artifacts),
        ),
        (
            deployment_service_pb2_grpc.add_DeploymentServiceServicer_to_server,
            DeploymentServicer(parts.deployments),
        ),
        (
            inference_service_pb2_grpc.add_InferenceServiceServicer_to_server,
            InferenceServicer(parts.inference),
        ),
    ]


def rpc_steps(settings: ServiceSettings, verifier: TokenVerifier) -> list[RpcStep]:
    """The kit's pipeline, then who may change the registry."""
    return [*default_steps(settings, verifier), RequireRegistryWriter(REGISTRY_WRITES)]


def build_server(
    settings: Settings,
    parts: MlParts,
    verifier: TokenVerifier,
    more: tuple[Registration, ...] = (),
) -> ServiceServer:
    """The gRPC server the runtime serves (with `more` servicers), for tests that need only the
    server."""
    server = ServiceServer(settings, steps=rpc_steps(settings, verifier))
    for register, servicer in [*servicers(parts), *more]:
        server.add_servicer(register, servicer)
    return server


async def registered_embedder(settings: Settings, parts: MlParts) -> None:
    """The shipped embedder as the first version of its model, served by its deployment."""
    if settings.register_embedder:
        await register_embedder(
            model_id=settings.embedder_model,
            alias=settings.embedder_alias,
            registry=parts.registry,
            promotions=parts.promotions,
            deployments=parts.deployments,
            artifacts=parts.artifacts,
        )


class _Closing:
    """Closes the artifact store when the service stops."""

    def __init__(self, store: ArtifactStore) -> None:
        self._store = store

    async def __aenter__(self) -> ArtifactStore:
        return self._store

    async def __aexit__(self, *_: object) -> None:
        await self._store.close()


async def ml_service_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """The registry, artifacts, deployments, serving and training on the migrated database."""
    settings = context.settings
    store = artifact_store(settings)
    await store.open()  # an S3 bucket created when missing, else the start fails naming it
    parts = ml_parts(
        settings, context.sessions, context.outbox, store, PageTokens.for_service(settings)
    )
    await registered_embedder(settings, parts)
    training = training_parts(
        training_config(settings),
        context.sessions,
        context.outbox,
        parts.registration,
        PageTokens.for_service(settings),
    )
    return ServiceParts(
        servicers=[*servicers(parts), training.registration],
        steps=rpc_steps(settings, context.verifier),
        lifecycles=[_Closing(store)],
        background=[training.supervisor.run],
    )


async def serve() -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully."""
    await run_service(Settings, ml_service_parts, migrations=MIGRATIONS)
