"""A space read again from ms_knowledge and indexed, followed as a long-running operation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum


class ReindexState(IntEnum):
    """knowledge.vector.v1.ReindexState."""

    RUNNING = 1
    SUCCEEDED = 2
    FAILED = 3


@dataclass(frozen=True, slots=True)
class ReindexOperation:
    name: str  # spaces/{space}/reindexOperations/{operation}
    space: str
    state: ReindexState
    documents_total: int
    documents_indexed: int
    documents_failed: int
    error: str
    requested_by: str
    create_time: datetime
    end_time: datetime | None
