"""Which chunks a search may return: the spaces the user may read, narrowed by the request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .chunks import ChunkMeta


@dataclass(frozen=True, slots=True)
class ChunkFilter:
    """`spaces` is never empty in a real search (a user who may read nothing finds nothing
    before any index is asked); the other fields narrow it when set. `updated_from` is
    inclusive, `updated_before` exclusive."""

    spaces: frozenset[str]
    documents: frozenset[str] | None = None
    content_types: frozenset[str] | None = None
    updated_from: datetime | None = None
    updated_before: datetime | None = None

    def admits(self, meta: ChunkMeta) -> bool:
        if meta.space not in self.spaces:
            return False
        if self.documents is not None and meta.document not in self.documents:
            return False
        if self.content_types is not None and meta.content_type not in self.content_types:
            return False
        if self.updated_from is not None and meta.updated_at < self.updated_from:
            return False
        return self.updated_before is None or meta.updated_at < self.updated_before
