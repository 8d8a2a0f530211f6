"""Rows to domain objects and back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from ..domain.deployments import Deployment, DeploymentState, Revision, TrafficSplit
from ..domain.gates import Comparison, MetricGate
from ..domain.models import Model, ModelVersion, Stage
from ..domain.transitions import Alias, Transition, TransitionKind


def utc(moment: datetime) -> datetime:
    """SQLite gives times back without their zone; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def gates_json(gates: tuple[MetricGate, ...]) -> list[dict[str, Any]]:
    return [
        {"metric": gate.metric, "comparison": int(gate.comparison), "threshold": gate.threshold}
        for gate in gates
    ]


def model_of(row: Row[Any]) -> Model:
    return Model(
        name=row.name,
        display_name=row.display_name,
        description=row.description,
        task=row.task,
        owner=row.owner,
        tags=dict(row.tags),
        gates=tuple(
            MetricGate(gate["metric"], Comparison(gate["comparison"]), float(gate["threshold"]))
            for gate in row.gates
        ),
        etag=row.etag,
        create_time=utc(row.create_time),
        update_time=utc(row.update_time),
    )


def version_of(row: Row[Any], aliases: tuple[str, ...] = ()) -> ModelVersion:
    return ModelVersion(
        name=row.name,
        model=row.model,
        number=row.number,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        format=row.format,
        stage=Stage(row.stage),
        metrics={key: float(value) for key, value in row.metrics.items()},
        params=dict(row.params),
        tags=dict(row.tags),
        training_job=row.training_job,
        source_commit=row.source_commit,
        description=row.description,
        creator=row.creator,
        etag=row.etag,
        create_time=utc(row.create_time),
        update_time=utc(row.update_time),
        stage_update_time=utc(row.stage_update_time),
        aliases=aliases,
    )


def transition_of(row: Row[Any]) -> Transition:
    return Transition(
        model=row.model,
        number=row.number,
        kind=TransitionKind(row.kind),
        model_version=row.model_version,
        alias=row.alias,
        previous_model_version=row.previous_model_version,
        from_stage=Stage(row.from_stage) if row.from_stage is not None else None,
        to_stage=Stage(row.to_stage) if row.to_stage is not None else None,
        actor=row.actor,
        reason=row.reason,
        create_time=utc(row.create_time),
    )


def alias_of(row: Row[Any]) -> Alias:
    return Alias(
        model=row.model,
        alias=row.alias,
        model_version=row.model_version,
        update_time=utc(row.update_time),
        updated_by=row.updated_by,
    )


def traffic_json(traffic: tuple[TrafficSplit, ...]) -> list[dict[str, Any]]:
    return [
        {"model_version": split.model_version, "alias": split.alias, "percent": split.percent}
        for split in traffic
    ]


def traffic_of(stored: list[Mapping[str, Any]]) -> tuple[TrafficSplit, ...]:
    return tuple(
        TrafficSplit(split["model_version"], split["alias"], int(split["percent"]))
        for split in stored
    )


def deployment_of(row: Row[Any]) -> Deployment:
    return Deployment(
        name=row.name,
        model=row.model,
        traffic=traffic_of(row.traffic),
        replicas=row.replicas,
        state=DeploymentState(row.state),
        status_message=row.status_message,
        revision=row.revision,
        etag=row.etag,
        create_time=utc(row.create_time),
        update_time=utc(row.update_time),
    )


def revision_of(row: Row[Any]) -> Revision:
    return Revision(
        deployment=row.deployment,
        revision=row.revision,
        traffic=traffic_of(row.traffic),
        replicas=row.replicas,
        actor=row.actor,
        reason=row.reason,
        create_time=utc(row.create_time),
        restored_revision=row.restored_revision,
    )
