"""The ml.models.v1 events the registry and the deployments record with their changes."""

from __future__ import annotations

from google.protobuf.message import Message
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.ml.v1 import deployment_pb2, events_pb2
from knowledge.topics import ML_MODELS_V1
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.deployments import ChangeKind, Deployment
from ..domain.models import ModelVersion, Stage
from ..domain.transitions import Transition


async def record(outbox: Outbox, session: AsyncSession, model: str, event: Message) -> None:
    """Every event of the topic is keyed by its model, so one model's changes stay in order."""
    await outbox.record(session, ML_MODELS_V1, event, subject=model)


def actor(name: str) -> Actor:
    return Actor(name=name)


def version_created(version: ModelVersion) -> events_pb2.ModelVersionCreated:
    return events_pb2.ModelVersionCreated(
        model_version=version.name,
        model=version.model,
        artifact_uri=version.artifact,
        metrics=dict(version.metrics),
        training_job=version.training_job,
        sha256=version.sha256,
        size_bytes=version.size_bytes,
        format=version.format,
        creator=actor(version.creator),
    )


def alias_moved(transition: Transition) -> events_pb2.ModelAliasMoved:
    return events_pb2.ModelAliasMoved(
        model=transition.model,
        alias=transition.alias,
        model_version=transition.model_version,
        previous_model_version=transition.previous_model_version,
        moved_by=actor(transition.actor),
        reason=transition.reason,
        transition=transition.name,
    )


def promoted(transition: Transition, archived: str) -> events_pb2.ModelPromoted:
    return events_pb2.ModelPromoted(
        model_version=transition.model_version,
        model=transition.model,
        previous_stage=int(transition.from_stage or Stage.NONE),  # type: ignore[arg-type]
        stage=int(transition.to_stage or Stage.NONE),  # type: ignore[arg-type]
        archived_model_version=archived,
        promoted_by=actor(transition.actor),
        reason=transition.reason,
        transition=transition.name,
    )


def deployment_changed(
    deployment: Deployment, kind: ChangeKind, who: str, reason: str, restored: int = 0
) -> events_pb2.DeploymentChanged:
    return events_pb2.DeploymentChanged(
        deployment=deployment.name,
        model=deployment.model,
        kind=int(kind),  # type: ignore[arg-type]
        revision=deployment.revision if kind is not ChangeKind.DELETED else 0,
        traffic=[
            deployment_pb2.TrafficSplit(
                model_version=split.model_version, alias=split.alias, percent=split.percent
            )
            for split in deployment.traffic
        ],
        restored_revision=restored,
        changed_by=actor(who),
        reason=reason,
    )
