"""Models and their versions as the registry keeps them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from .gates import MetricGate


class Stage(IntEnum):
    """Where a version is in its life (the contract's ModelStage numbers)."""

    NONE = 1
    STAGING = 2
    PRODUCTION = 3
    ARCHIVED = 4


GATED_STAGES = frozenset({Stage.STAGING, Stage.PRODUCTION})


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    display_name: str
    description: str
    task: str
    owner: str
    tags: Mapping[str, str]
    gates: tuple[MetricGate, ...]
    etag: str
    create_time: datetime
    update_time: datetime


@dataclass(frozen=True, slots=True)
class ModelVersion:
    name: str
    model: str
    number: int
    sha256: str
    size_bytes: int
    format: str
    stage: Stage
    metrics: Mapping[str, float]
    params: Mapping[str, str]
    tags: Mapping[str, str]
    training_job: str
    source_commit: str
    description: str
    creator: str
    etag: str
    create_time: datetime
    update_time: datetime
    stage_update_time: datetime
    aliases: tuple[str, ...] = field(default=())

    @property
    def artifact(self) -> str:
        return f"artifacts/{self.sha256}"


@dataclass(frozen=True, slots=True)
class VersionDraft:
    """What a caller (or a training job) gives to register a version."""

    sha256: str
    size_bytes: int
    format: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    training_job: str = ""
    source_commit: str = ""
    description: str = ""


def finite_metrics(metrics: Mapping[str, float]) -> list[str]:
    """The keys whose values are not finite numbers."""
    return [key for key, value in metrics.items() if not math.isfinite(value)]
