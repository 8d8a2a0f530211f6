"""Index generations: the chunks of every document embedded by one model version.

One generation serves the searches. When the embedder's alias moves to another version, a
second generation is built beside it from the same passages; once it holds every indexed
document it serves instead, and the first is dropped. A generation that cannot be built is
failed, with its reason, and the serving one goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum


class GenerationState(IntEnum):
    SERVING = 1
    BUILDING = 2
    FAILED = 3
    RETIRED = 4


@dataclass(frozen=True, slots=True)
class GenerationRecord:
    """A generation as the record keeps it: its model version, where it stands, and how far
    its build has come (documents holding its chunks of all indexed documents)."""

    model: str
    state: GenerationState
    sha256: str
    documents_total: int
    documents_done: int
    error: str
    create_time: datetime
    update_time: datetime
