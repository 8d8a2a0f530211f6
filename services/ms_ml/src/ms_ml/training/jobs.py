"""A training job as the service keeps it, and the entries of its log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from knowledge_kit.api import ResourcePattern

MODEL = ResourcePattern("models/{model}")
TRAINING_JOB = ResourcePattern("models/{model}/trainingJobs/{job}")


class JobState(IntEnum):
    """The contract's TrainingJobState numbers."""

    QUEUED = 1
    RUNNING = 2
    SUCCEEDED = 3
    FAILED = 4
    CANCELLED = 5

    @property
    def ended(self) -> bool:
        return self in ENDED


ENDED = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})


@dataclass(frozen=True, slots=True)
class JobLimits:
    timeout_seconds: int
    memory_bytes: int


@dataclass(frozen=True, slots=True)
class TrainingJob:
    name: str
    model: str
    recipe: str
    state: JobState
    dataset_uri: str
    hyperparameters: dict[str, str]
    limits: JobLimits
    creator: str
    create_time: datetime
    update_time: datetime
    start_time: datetime | None = None
    end_time: datetime | None = None
    model_version: str = ""
    error_message: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    # The process running it (while RUNNING): its host and pid, and whether a cancel was asked.
    host: str = ""
    pid: int = 0
    cancel_requested: bool = False
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A log line (`line`) or a metric point (`metric`, `step`, `value`)."""

    sequence: int
    time: datetime
    line: str | None = None
    metric: str = ""
    step: int = 0
    value: float = 0.0
