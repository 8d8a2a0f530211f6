"""The records of the index: a document revision as it arrives, the passages cut from it, and
the chunks stored for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DocumentRevision:
    """One revision of a document, as knowledge.documents.v1 or IndexDocument delivers it."""

    document: str  # spaces/{space}/documents/{document}
    space: str  # spaces/{space}
    revision: int
    title: str
    content: str
    content_type: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Passage:
    """A passage cut from a revision's content: content[start:end] == text (code points)."""

    ordinal: int
    text: str
    start: int
    end: int
    heading_path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChunkMeta:
    """What filters look at: where a chunk comes from and when its revision was written."""

    space: str
    document: str
    content_type: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class IndexedChunk:
    """A stored passage of an indexed revision; `id` labels its vector in the ANN index."""

    id: int
    document: str
    space: str
    revision: int
    ordinal: int
    title: str
    text: str
    start: int
    end: int
    heading_path: tuple[str, ...]
    content_type: str
    embedding_model: str
    updated_at: datetime

    @property
    def name(self) -> str:
        """spaces/{space}/documents/{document}/chunks/{ordinal}."""
        return f"{self.document}/chunks/{self.ordinal}"

    @property
    def meta(self) -> ChunkMeta:
        return ChunkMeta(self.space, self.document, self.content_type, self.updated_at)
