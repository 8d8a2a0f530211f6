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
    """A generation as the record keeps it: its model version, where it stands, how far its
    build has come (documents holding its chunks of all indexed documents) and who builds it:
    one instance at a time, the others follow the record once it serves."""

    model: str
    state: GenerationState
    sha256: str
    documents_total: int
    documents_done: int
    error: str
    create_time: datetime
    update_time: datetime
    # The instance building it, and until when it may be taken as alive (renewed as it goes).
    builder: str = ""
    lease_until: datetime | None = None

    def leased_to_another(self, builder: str, now: datetime) -> bool:
        """Whether another instance builds this generation now (its lease not run out)."""
        return (
            self.state is GenerationState.BUILDING
            and self.builder != builder
            and self.lease_until is not None
            and self.lease_until > now
        )
