"""The history of a model's stage and alias changes: who, when, from, to and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from .models import Stage


class TransitionKind(IntEnum):
    """The contract's ModelTransitionKind numbers."""

    STAGE = 1
    ALIAS_SET = 2
    ALIAS_DELETED = 3


@dataclass(frozen=True, slots=True)
class Transition:
    model: str
    number: int
    kind: TransitionKind
    model_version: str
    alias: str
    previous_model_version: str
    from_stage: Stage | None
    to_stage: Stage | None
    actor: str
    reason: str
    create_time: datetime

    @property
    def name(self) -> str:
        return f"{self.model}/transitions/{self.number}"


@dataclass(frozen=True, slots=True)
class Alias:
    model: str
    alias: str
    model_version: str
    update_time: datetime
    updated_by: str

    @property
    def name(self) -> str:
        return f"{self.model}/aliases/{self.alias}"
