"""Where each document stands in the index: the revision searchable now and the newest seen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum


class IndexState(IntEnum):
    """knowledge.vector.v1.IndexState."""

    INDEXED = 1
    FAILED = 2
    DELETED = 3


@dataclass(frozen=True, slots=True)
class DocumentStatus:
    """`indexed_revision` is searchable (0: nothing is); `latest_revision` is the newest seen."""

    document: str
    space: str
    state: IndexState
    indexed_revision: int
    latest_revision: int
    embedding_model: str
    chunk_count: int
    last_error: str
    status_time: datetime

    def supersedes(self, revision: int, embedding_model: str, *, reread: bool = False) -> bool:
        """Whether what is recorded makes indexing `revision` with `embedding_model` pointless:
        a newer revision was seen, or this one is indexed already with this model. A failed
        revision may be tried again. A deleted document stays deleted for its revisions, unless
        the revision was `reread` from ms_knowledge just now (which lists only documents that
        exist: the index was emptied on request, not the document deleted)."""
        if revision != self.latest_revision:
            return revision < self.latest_revision
        if self.state is IndexState.FAILED:
            return False
        if self.state is IndexState.DELETED:
            return not reread
        return self.embedding_model == embedding_model
