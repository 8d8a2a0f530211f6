"""How a query finds passages: by meaning, by words, or both fused."""

from __future__ import annotations

from enum import Enum


class SearchMode(Enum):
    """HYBRID fuses the dense and lexical rankings by reciprocal rank; DENSE ranks by the
    query's embedding alone (cosine); LEXICAL by its words alone (BM25)."""

    HYBRID = "hybrid"
    DENSE = "dense"
    LEXICAL = "lexical"
