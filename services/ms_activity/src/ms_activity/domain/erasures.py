"""An erasure: a user's activities being deleted on request (the right to be forgotten)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum


class ErasureState(IntEnum):
    """knowledge.activity.v1.ErasureState's values."""

    RUNNING = 1
    SUCCEEDED = 2
    FAILED = 3


@dataclass(frozen=True, slots=True)
class Erasure:
    id: str
    user: str
    state: ErasureState
    erased_count: int
    error: str
    requested_by: str
    requested_by_display_name: str
    create_time: datetime
    end_time: datetime | None

    @property
    def name(self) -> str:
        return f"{self.user}/erasures/{self.id}"
