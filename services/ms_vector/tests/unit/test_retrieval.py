"""Searching by meaning, by words and both: the real embedding model and the real BM25 index,
with a small exact dense index (numpy dot products) standing in for FAISS or Qdrant, whose own
contract tests cover them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pytest
from knowledge_kit.embeddings import WordLlamaEmbedder

from ms_vector.domain.chunks import ChunkMeta
from ms_vector.domain.filters import ChunkFilter
from ms_vector.domain.lexical import LexicalIndex
from ms_vector.domain.ports import ChunkVector, Hit, Vectors
from ms_vector.domain.search_mode import SearchMode
from ms_vector.service.retrieval import Retrieval

WHEN = datetime(2025, 3, 1, tzinfo=UTC)
HANDBOOK = "spaces/handbook"
PRIVATE = "spaces/private"

PASSAGES: dict[int, tuple[str, str, str]] = {
    # id: (space, document, text)
    1: (
        HANDBOOK,
        "passwords",
        "To reset a forgotten password, open the sign-in page and ask for a reset link by email.",
    ),
    2: (
        HANDBOOK,
        "passwords",
        "Passwords need at least twelve characters and may not contain your email address.",
    ),
    3: (
        HANDBOOK,
        "vacation",
        "Employees take up to twenty-five days of paid holiday each year; request leave from your manager.",
    ),
    4: (
        HANDBOOK,
        "kafka",
        "Set KAFKA_SSL_CAFILE to the PEM bundle the brokers' certificates chain to.",
    ),
    5: (
        HANDBOOK,
        "kafka",
        "The broker keeps every topic for seven days before old records are deleted.",
    ),
    6: (
        HANDBOOK,
        "office",
        "The office kitchen has coffee, tea and fruit; please clean up after lunch.",
    ),
    7: (
        PRIVATE,
        "salaries",
        "Salaries and holiday allowances of the leadership team for next year.",
    ),
}


class ExactIndex:
    """A dense index that compares the query with every admitted vector."""

    def __init__(self) -> None:
        self._vectors: dict[int, ChunkVector] = {}

    async def upsert(self, chunks: Sequence[ChunkVector]) -> None:
        self._vectors.update((chunk.id, chunk) for chunk in chunks)

    async def delete(self, ids: Sequence[int]) -> None:
        for id in ids:
            self._vectors.pop(id, None)

    async def search(self, query: Vectors, limit: int, allowed: ChunkFilter) -> list[Hit]:
        admitted = [chunk for chunk in self._vectors.values() if allowed.admits(chunk.meta)]
        if not admitted:
            return []
        scores = np.stack([chunk.vector for chunk in admitted]) @ query
        order = np.argsort(-scores, kind="stable")[:limit]
        return [Hit(admitted[i].id, float(scores[i])) for i in order]

    async def ids(self) -> set[int]:
        return set(self._vectors)

    async def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def embedder() -> WordLlamaEmbedder:
    return WordLlamaEmbedder()


def meta(space: str, document: str) -> ChunkMeta:
    return ChunkMeta(space, f"{space}/documents/{document}", "text/markdown", WHEN)


async def indexed(
    embedder: WordLlamaEmbedder, passages: dict[int, tuple[str, str, str]]
) -> tuple[Retrieval, ExactIndex, LexicalIndex]:
    dense, lexical = ExactIndex(), LexicalIndex()
    ids = list(passages)
    vectors = embedder.embed([passages[id][2] for id in ids])
    await dense.upsert(
        [ChunkVector(id, vectors[n], meta(*passages[id][:2])) for n, id in enumerate(ids)]
    )
    for id in ids:
        space, document, text = passages[id]
        lexical.add(id, text, meta(space, document))
    return Retrieval(embedder, dense, lexical), dense, lexical


HANDBOOK_ONLY = ChunkFilter(frozenset({HANDBOOK}))


async def test_each_mode_finds_the_passage_about_the_question(embedder: WordLlamaEmbedder) -> None:
    retrieval, _, _ = await indexed(embedder, PASSAGES)

    for mode in SearchMode:
        hits = await retrieval.search("how do I reset my password", mode, HANDBOOK_ONLY, 3)
        assert hits[0].id == 1, mode


async def test_dense_finds_a_paraphrase_that_shares_no_word_with_the_passage(
    embedder: WordLlamaEmbedder,
) -> None:
    retrieval, _, _ = await indexed(embedder, PASSAGES)
    query = "annual vacation allowance for staff"

    dense = await retrieval.search(query, SearchMode.DENSE, HANDBOOK_ONLY, 2)
    lexical = await retrieval.search(query, SearchMode.LEXICAL, HANDBOOK_ONLY, 2)
    hybrid = await retrieval.search(query, SearchMode.HYBRID, HANDBOOK_ONLY, 2)

    assert dense[0].id == 3
    assert 3 not in [hit.id for hit in lexical]
    assert hybrid[0].id == 3


async def test_lexical_finds_a_rare_identifier(embedder: WordLlamaEmbedder) -> None:
    retrieval, _, _ = await indexed(embedder, PASSAGES)

    lexical = await retrieval.search("KAFKA_SSL_CAFILE", SearchMode.LEXICAL, HANDBOOK_ONLY, 3)
    hybrid = await retrieval.search("KAFKA_SSL_CAFILE", SearchMode.HYBRID, HANDBOOK_ONLY, 3)

    assert [hit.id for hit in lexical] == [4]
    assert hybrid[0].id == 4


async def test_scores_and_ranks_per_mode(embedder: WordLlamaEmbedder) -> None:
    retrieval, _, _ = await indexed(embedder, PASSAGES)
    query = "password reset link"

    dense = await retrieval.search(query, SearchMode.DENSE, HANDBOOK_ONLY, 4)
    lexical = await retrieval.search(query, SearchMode.LEXICAL, HANDBOOK_ONLY, 4)
    hybrid = await retrieval.search(query, SearchMode.HYBRID, HANDBOOK_ONLY, 4)

    for hits in (dense, lexical, hybrid):
        scores = [hit.score for hit in hits]
        assert all(0.0 <= score <= 1.0 for score in scores)
        assert scores == sorted(scores, reverse=True)
    assert [hit.dense_rank for hit in dense] == [1, 2, 3, 4]
    assert all(hit.lexical_rank == 0 for hit in dense)
    assert [hit.lexical_rank for hit in lexical] == list(range(1, len(lexical) + 1))
    assert lexical[0].score == 1.0
    assert hybrid[0].dense_rank > 0 and hybrid[0].lexical_rank > 0


async def test_a_space_outside_the_filter_is_never_searched(embedder: WordLlamaEmbedder) -> None:
    retrieval, _, _ = await indexed(embedder, PASSAGES)

    for mode in SearchMode:
        hits = await retrieval.search("leadership salaries and holiday", mode, HANDBOOK_ONLY, 10)
        assert 7 not in [hit.id for hit in hits], mode
    everything = ChunkFilter(frozenset({HANDBOOK, PRIVATE}))
    hits = await retrieval.search("leadership salaries", SearchMode.HYBRID, everything, 1)
    assert [hit.id for hit in hits] == [7]


async def test_a_removed_chunk_is_never_found(embedder: WordLlamaEmbedder) -> None:
    retrieval, dense, lexical = await indexed(embedder, PASSAGES)

    lexical.remove([4])  # the dense index may lag behind: the lexical index is the catalogue
    for mode in SearchMode:
        hits = await retrieval.search("KAFKA_SSL_CAFILE certificates", mode, HANDBOOK_ONLY, 10)
        assert 4 not in [hit.id for hit in hits], mode
    await dense.delete([4])
    hits = await retrieval.search("broker certificates", SearchMode.DENSE, HANDBOOK_ONLY, 10)
    assert 4 not in [hit.id for hit in hits]


async def test_at_most_n_passages_of_one_document_yet_the_limit_is_filled(
    embedder: WordLlamaEmbedder,
) -> None:
    # One long document whose 120 passages all match better than the few other documents.
    passages = {
        id: (HANDBOOK, "manual", f"Backup step {id}: copy the database backup to storage.")
        for id in range(1, 121)
    }
    passages |= {
        1000 + n: (HANDBOOK, f"other-{n}", f"A note {n} that mentions a backup once.")
        for n in range(5)
    }
    retrieval, _, _ = await indexed(embedder, passages)

    for mode in SearchMode:
        hits = await retrieval.search("database backup", mode, HANDBOOK_ONLY, 4, max_per_document=1)
        documents = [passages[hit.id][1] for hit in hits]
        assert len(hits) == 4, mode
        assert len(set(documents)) == 4, mode
        uncapped = await retrieval.search("database backup", mode, HANDBOOK_ONLY, 4)
        assert {passages[hit.id][1] for hit in uncapped} == {"manual"}, mode


async def test_a_cap_with_fewer_documents_than_the_limit_returns_what_exists(
    embedder: WordLlamaEmbedder,
) -> None:
    retrieval, _, _ = await indexed(embedder, PASSAGES)

    hits = await retrieval.search(
        "password", SearchMode.HYBRID, HANDBOOK_ONLY, 10, max_per_document=1
    )

    documents = [PASSAGES[hit.id][1] for hit in hits]
    assert len(documents) == len(set(documents)) == 4  # the handbook's documents


async def test_nothing_to_search_or_nothing_asked_gives_nothing(
    embedder: WordLlamaEmbedder,
) -> None:
    retrieval, _, _ = await indexed(embedder, {})
    assert await retrieval.search("password", SearchMode.HYBRID, HANDBOOK_ONLY, 5) == []

    retrieval, _, _ = await indexed(embedder, PASSAGES)
    assert await retrieval.search("password", SearchMode.HYBRID, HANDBOOK_ONLY, 0) == []
    assert await retrieval.search("the of and", SearchMode.LEXICAL, HANDBOOK_ONLY, 5) == []
