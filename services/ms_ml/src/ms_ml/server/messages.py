"""Domain objects as the contract's messages, and back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.ml.v1 import artifact_pb2, deployment_pb2, model_pb2
from knowledge_kit.api import Page

from ..domain.deployments import Deployment, Revision, TrafficSplit
from ..domain.gates import MetricGate
from ..domain.models import Model, ModelVersion
from ..domain.transitions import Alias, Transition
from ..service.artifacts import ArtifactInfo

Item = TypeVar("Item")
Response = TypeVar("Response")


def page_response(
    response: Callable[..., Response], field: str, page: Page[Item], message: Callable[[Item], Any]
) -> Response:
    """A List or Search RPC's answer: the page's items as messages in its repeated `field`, and
    the token of the next page."""
    return response(
        **{field: [message(item) for item in page.items]}, next_page_token=page.next_page_token
    )


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def model_message(model: Model) -> model_pb2.Model:
    return model_pb2.Model(
        name=model.name,
        display_name=model.display_name,
        description=model.description,
        task=model.task,
        create_time=timestamp(model.create_time),
        update_time=timestamp(model.update_time),
        owner=model.owner,
        etag=model.etag,
        tags=dict(model.tags),
        gates=[gate_message(gate) for gate in model.gates],
    )


def gate_message(gate: MetricGate) -> model_pb2.MetricGate:
    return model_pb2.MetricGate(
        metric=gate.metric,
        comparison=int(gate.comparison),  # type: ignore[arg-type]
        threshold=gate.threshold,
    )


def gate_tuples(gates: list[model_pb2.MetricGate]) -> list[tuple[str, int, float]]:
    return [(gate.metric, int(gate.comparison), gate.threshold) for gate in gates]


def version_message(version: ModelVersion) -> model_pb2.ModelVersion:
    return model_pb2.ModelVersion(
        name=version.name,
        artifact_uri=version.artifact,
        metrics=dict(version.metrics),
        stage=int(version.stage),  # type: ignore[arg-type]
        training_job=version.training_job,
        create_time=timestamp(version.create_time),
        stage_update_time=timestamp(version.stage_update_time),
        sha256=version.sha256,
        size_bytes=version.size_bytes,
        format=version.format,
        params=dict(version.params),
        source_commit=version.source_commit,
        description=version.description,
        tags=dict(version.tags),
        aliases=list(version.aliases),
        etag=version.etag,
        update_time=timestamp(version.update_time),
        creator=version.creator,
    )


def alias_message(alias: Alias) -> model_pb2.ModelAlias:
    return model_pb2.ModelAlias(
        name=alias.name,
        model_version=alias.model_version,
        update_time=timestamp(alias.update_time),
        updated_by=alias.updated_by,
    )


def transition_message(transition: Transition) -> model_pb2.ModelTransition:
    return model_pb2.ModelTransition(
        name=transition.name,
        kind=int(transition.kind),  # type: ignore[arg-type]
        model_version=transition.model_version,
        alias=transition.alias,
        previous_model_version=transition.previous_model_version,
        from_stage=int(transition.from_stage or 0),  # type: ignore[arg-type]
        to_stage=int(transition.to_stage or 0),  # type: ignore[arg-type]
        actor=transition.actor,
        reason=transition.reason,
        create_time=timestamp(transition.create_time),
    )


def artifact_message(info: ArtifactInfo) -> artifact_pb2.Artifact:
    return artifact_pb2.Artifact(
        name=info.name,
        sha256=info.sha256,
        size_bytes=info.size_bytes,
        create_time=timestamp(info.create_time),
    )


def split_message(split: TrafficSplit) -> deployment_pb2.TrafficSplit:
    return deployment_pb2.TrafficSplit(
        model_version=split.model_version, alias=split.alias, percent=split.percent
    )


def splits_of(traffic: list[deployment_pb2.TrafficSplit]) -> tuple[TrafficSplit, ...]:
    return tuple(TrafficSplit(split.model_version, split.alias, split.percent) for split in traffic)


def deployment_message(deployment: Deployment) -> deployment_pb2.Deployment:
    return deployment_pb2.Deployment(
        name=deployment.name,
        model_version=deployment.primary.model_version
        or f"{deployment.model}/aliases/{deployment.primary.alias}",
        replicas=deployment.replicas,
        state=int(deployment.state),  # type: ignore[arg-type]
        create_time=timestamp(deployment.create_time),
        update_time=timestamp(deployment.update_time),
        traffic=[split_message(split) for split in deployment.traffic],
        revision=deployment.revision,
        etag=deployment.etag,
        status_message=deployment.status_message,
    )


def revision_message(revision: Revision) -> deployment_pb2.DeploymentRevision:
    return deployment_pb2.DeploymentRevision(
        name=revision.name,
        revision=revision.revision,
        traffic=[split_message(split) for split in revision.traffic],
        replicas=revision.replicas,
        actor=revision.actor,
        reason=revision.reason,
        create_time=timestamp(revision.create_time),
        restored_revision=revision.restored_revision,
    )
