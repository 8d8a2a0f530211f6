"""Finding the passages for a query: by meaning, by words, or both fused, under the filter of
what the user may read, with at most N passages of one document."""

from __future__ import annotations

import asyncio

from ..domain.filters import ChunkFilter
from ..domain.fusion import RRF_K, RankedHit, fuse
from ..domain.lexical import LexicalIndex
from ..domain.ports import Embedder, Hit, VectorIndex
from ..domain.search_mode import SearchMode

# Each retriever is asked for at least this many candidates, and for three times the results
# wanted: a chunk ranked low by one retriever may still come out on top once fused.
MIN_CANDIDATES = 50
CANDIDATES_PER_RESULT = 3


class Retrieval:
    """Searches the dense and the lexical index of the same chunks. The lexical index is the
    catalogue of what is indexed now: a dense hit it does not hold (a chunk being removed) is
    left out, and the document of a hit, for the per-document cap, is read from it."""

    def __init__(
        self, embedder: Embedder, dense: VectorIndex, lexical: LexicalIndex, *, rrf_k: int = RRF_K
    ) -> None:
        self._embedder = embedder
        self._dense = dense
        self._lexical = lexical
        self._rrf_k = rrf_k

    async def search(
        self,
        query: str,
        mode: SearchMode,
        allowed: ChunkFilter,
        limit: int,
        max_per_document: int = 0,
    ) -> list[RankedHit]:
        """The `limit` best admitted chunks for `query`, best first, at most `max_per_document`
        of one document (0: no cap). Scores are 0..1: cosine similarity (dense), BM25 relative
        to the best hit (lexical), the fused value relative to its best possible (hybrid)."""
        if limit <= 0 or len(self._lexical) == 0:
            return []
        vector = None
        if mode is not SearchMode.LEXICAL:
            vectors = await asyncio.to_thread(self._embedder.embed, [query])
            vector = vectors[0]
        depth = max(limit * CANDIDATES_PER_RESULT, MIN_CANDIDATES)
        while True:
            dense: list[Hit] = []
            lexical: list[Hit] = []
            if vector is not None:
                dense = [
                    hit
                    for hit in await self._dense.search(vector, depth, allowed)
                    if hit.id in self._lexical
                ]
            if mode is not SearchMode.DENSE:
                lexical = self._lexical.search(query, depth, allowed)
            ranked = self._capped(self._ranked(mode, dense, lexical), max_per_document)
            # With a cap, the candidates may run out before `limit` results: ask again deeper
            # until they fill it or the retrievers have nothing more to give.
            exhausted = depth >= len(self._lexical)
            if len(ranked) >= limit or max_per_document <= 0 or exhausted:
                return ranked[:limit]
            depth = min(depth * 4, len(self._lexical))

    def _ranked(self, mode: SearchMode, dense: list[Hit], lexical: list[Hit]) -> list[RankedHit]:
        if mode is SearchMode.DENSE:
            return [
                RankedHit(hit.id, min(max(hit.score, 0.0), 1.0), dense_rank=rank)
                for rank, hit in enumerate(dense, start=1)
            ]
        if mode is SearchMode.LEXICAL:
            best = lexical[0].score if lexical else 1.0
            return [
                RankedHit(hit.id, hit.score / best if best > 0 else 0.0, lexical_rank=rank)
                for rank, hit in enumerate(lexical, start=1)
            ]
        return fuse(dense, lexical, k=self._rrf_k)

    def _capped(self, ranked: list[RankedHit], max_per_document: int) -> list[RankedHit]:
        if max_per_document <= 0:
            return ranked
        kept: list[RankedHit] = []
        per_document: dict[str, int] = {}
        for hit in ranked:
            meta = self._lexical.meta(hit.id)
            if meta is None:
                continue
            count = per_document.get(meta.document, 0)
            if count < max_per_document:
                per_document[meta.document] = count + 1
                kept.append(hit)
        return kept
