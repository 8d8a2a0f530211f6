"""One contract for every dense index: the in-process FAISS index and the Qdrant adapter.

The Qdrant adapter runs against qdrant-client's local mode (`AsyncQdrantClient(":memory:")`,
the client's own in-process implementation), not a Qdrant server.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from qdrant_client import AsyncQdrantClient

from ms_vector.adapters.faiss_index import FaissVectorIndex
from ms_vector.adapters.qdrant_index import QdrantVectorIndex
from ms_vector.domain.chunks import ChunkMeta
from ms_vector.domain.filters import ChunkFilter
from ms_vector.domain.ports import ChunkVector, VectorIndex

DIMENSIONS = 32
SPACE = "spaces/handbook"
OTHER_SPACE = "spaces/finance"
EVERYWHERE = ChunkFilter(spaces=frozenset({SPACE, OTHER_SPACE}))
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

IndexFactory = Callable[[], Awaitable[VectorIndex]]

# The local mode says that it ignores payload indexes and search parameters (it searches exactly).
pytestmark = [
    pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning"),
    pytest.mark.filterwarnings("ignore:Local mode performs exact:UserWarning"),
]


@pytest.fixture(params=["faiss", "qdrant"])
async def make_index(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[IndexFactory]:
    """Makes an empty index of the adapter under test."""
    clients: list[AsyncQdrantClient] = []

    async def make() -> VectorIndex:
        if request.param == "faiss":
            return FaissVectorIndex(DIMENSIONS, tmp_path / "dense.index")
        client = AsyncQdrantClient(location=":memory:")
        clients.append(client)
        index = QdrantVectorIndex(client, "chunks", DIMENSIONS)
        await index.ensure()
        return index

    yield make
    for client in clients:
        await client.close()


def unit(vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
    array = np.asarray(vectors, dtype=np.float32)
    normalised: npt.NDArray[np.float32] = array / np.linalg.norm(array, axis=-1, keepdims=True)
    return normalised


def random_vectors(count: int, seed: int = 7) -> npt.NDArray[np.float32]:
    return unit(np.random.default_rng(seed).standard_normal((count, DIMENSIONS)))


def meta(
    document: str = "a",
    space: str = SPACE,
    content_type: str = "text/markdown",
    updated_at: datetime = MONDAY,
) -> ChunkMeta:
    return ChunkMeta(space, f"{space}/documents/{document}", content_type, updated_at)


def chunk(id: int, vector: npt.ArrayLike, chunk_meta: ChunkMeta | None = None) -> ChunkVector:
    return ChunkVector(id, unit(vector), chunk_meta or meta())


def axis(i: int) -> npt.NDArray[np.float32]:
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[i] = 1.0
    return vector


async def test_search_returns_the_nearest_chunks_best_first_by_cosine(
    make_index: IndexFactory,
) -> None:
    index = await make_index()
    query = axis(0)
    # Cosines to the query: 1.0, 0.8, 0.6, 0.0, -1.0.
    await index.upsert(
        [
            chunk(1, axis(1)),
            chunk(2, 0.8 * axis(0) + 0.6 * axis(1)),
            chunk(3, axis(0)),
            chunk(4, -axis(0)),
            chunk(5, 0.6 * axis(0) + 0.8 * axis(1)),
        ]
    )

    hits = await index.search(query, 3, EVERYWHERE)

    assert [hit.id for hit in hits] == [3, 2, 5]
    assert [round(hit.score, 4) for hit in hits] == [1.0, 0.8, 0.6]
    assert [hit.id for hit in await index.search(query, 10, EVERYWHERE)] == [3, 2, 5, 1, 4]


async def test_upserting_a_held_chunk_replaces_its_vector_and_fields(
    make_index: IndexFactory,
) -> None:
    index = await make_index()
    await index.upsert([chunk(1, axis(0)), chunk(2, axis(1))])

    await index.upsert([chunk(1, axis(2), meta("b", space=OTHER_SPACE))])

    assert [hit.id for hit in await index.search(axis(0), 1, EVERYWHERE)] != [1]
    top = await index.search(axis(2), 5, EVERYWHERE)
    assert [hit.id for hit in top] == [1, 2]
    in_first_space = await index.search(axis(2), 5, ChunkFilter(spaces=frozenset({SPACE})))
    assert [hit.id for hit in in_first_space] == [2]
    assert await index.ids() == {1, 2}


async def test_deleted_chunks_are_never_found_again(make_index: IndexFactory) -> None:
    index = await make_index()
    vectors = random_vectors(300)
    await index.upsert([chunk(id, vector) for id, vector in enumerate(vectors)])

    # Most of them: the FAISS index rebuilds its graph without them on the way.
    deleted = set(range(0, 300, 3)) | set(range(1, 300, 3))
    await index.delete(sorted(deleted))
    await index.delete([1_000_000])  # never held: nothing happens

    assert await index.ids() == set(range(300)) - deleted
    for query in vectors[:12]:
        hits = await index.search(query, 10, EVERYWHERE)
        assert len(hits) == 10
        assert not {hit.id for hit in hits} & deleted
    exact = np.argsort(-(vectors @ vectors[2]))
    best = [int(id) for id in exact if int(id) not in deleted][:5]
    assert [hit.id for hit in await index.search(vectors[2], 5, EVERYWHERE)] == best


async def test_ids_are_every_chunk_held(make_index: IndexFactory) -> None:
    index = await make_index()
    assert await index.ids() == set()

    await index.upsert([chunk(id, vector) for id, vector in enumerate(random_vectors(2500))])

    assert await index.ids() == set(range(2500))


async def test_a_filter_narrows_by_space_document_content_type_and_update_time(
    make_index: IndexFactory,
) -> None:
    index = await make_index()
    later = MONDAY + timedelta(days=1)
    await index.upsert(
        [
            chunk(1, axis(0), meta("a")),
            chunk(2, axis(0), meta("b")),
            chunk(3, axis(0), meta("c", space=OTHER_SPACE)),
            chunk(4, axis(0), meta("a", content_type="text/plain")),
            chunk(5, axis(0), meta("a", updated_at=later)),
        ]
    )

    async def found(allowed: ChunkFilter) -> set[int]:
        return {hit.id for hit in await index.search(axis(0), 10, allowed)}

    spaces = frozenset({SPACE})
    assert await found(ChunkFilter(spaces=spaces)) == {1, 2, 4, 5}
    assert await found(ChunkFilter(spaces=frozenset({OTHER_SPACE}))) == {3}
    assert await found(ChunkFilter(spaces=frozenset({"spaces/nobody-reads"}))) == set()
    documents = frozenset({f"{SPACE}/documents/b", f"{OTHER_SPACE}/documents/c"})
    assert await found(ChunkFilter(spaces=spaces, documents=documents)) == {2}
    assert await found(ChunkFilter(spaces=spaces, documents=frozenset())) == set()
    plain = frozenset({"text/plain"})
    assert await found(ChunkFilter(spaces=spaces, content_types=plain)) == {4}
    # updated_from is inclusive, updated_before exclusive.
    assert await found(ChunkFilter(spaces=spaces, updated_from=later)) == {5}
    assert await found(ChunkFilter(spaces=spaces, updated_before=later)) == {1, 2, 4}
    assert (
        await found(ChunkFilter(spaces=spaces, updated_from=MONDAY, updated_before=MONDAY)) == set()
    )


@pytest.mark.parametrize("admitted", [7, 50, 400])
async def test_a_restrictive_filter_still_returns_limit_chunks_when_they_exist(
    make_index: IndexFactory, admitted: int
) -> None:
    index = await make_index()
    vectors = random_vectors(2000, seed=11)
    chosen = set(range(3, 2000, 2000 // admitted)[:admitted])
    await index.upsert(
        [
            chunk(id, vector, meta("rare" if id in chosen else f"d{id % 40}"))
            for id, vector in enumerate(vectors)
        ]
    )
    only_rare = ChunkFilter(spaces=frozenset({SPACE}), documents=frozenset({meta("rare").document}))
    # A query far from every admitted chunk: an unfiltered graph walk meets none of them.
    query = unit(vectors[[id for id in range(2000) if id not in chosen][:20]].sum(axis=0))

    hits = await index.search(query, 10, only_rare)

    exact = sorted(chosen, key=lambda id: -float(vectors[id] @ query))
    assert [hit.id for hit in hits] == exact[:10]


async def test_a_query_of_other_dimensions_is_refused(make_index: IndexFactory) -> None:
    index = await make_index()
    with pytest.raises(ValueError, match="dimensions"):
        await index.search(np.ones(DIMENSIONS + 1, dtype=np.float32), 3, EVERYWHERE)
    with pytest.raises(ValueError, match="dimensions"):
        await index.upsert([ChunkVector(1, np.ones(3, dtype=np.float32), meta())])


async def test_the_faiss_index_comes_back_from_its_file(tmp_path: Path) -> None:
    path = tmp_path / "indexes" / "dense.index"
    vectors = random_vectors(500)
    index = FaissVectorIndex(DIMENSIONS, path)
    await index.upsert([chunk(id, vector, meta(f"d{id % 5}")) for id, vector in enumerate(vectors)])
    await index.delete([0, 1, 2])
    await index.upsert([chunk(3, axis(4), meta("moved", space=OTHER_SPACE))])
    only_d1 = ChunkFilter(spaces=frozenset({SPACE}), documents=frozenset({meta("d1").document}))
    before = await index.search(vectors[10], 10, only_d1)
    await index.close()

    reopened = FaissVectorIndex(DIMENSIONS, path)

    assert await reopened.ids() == set(range(3, 500))
    assert await reopened.search(vectors[10], 10, only_d1) == before
    moved = await reopened.search(axis(4), 1, ChunkFilter(spaces=frozenset({OTHER_SPACE})))
    assert [hit.id for hit in moved] == [3]
    assert [path.name] == [entry.name for entry in path.parent.iterdir()]  # no temporary left


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.write_bytes(b"\x00not an index\xff" * 100), id="garbage"),
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:-300]), id="truncated"),
    ],
)
async def test_an_unreadable_faiss_file_is_discarded_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: Callable[[Path], object]
) -> None:
    path = tmp_path / "dense.index"
    index = FaissVectorIndex(DIMENSIONS, path)
    await index.upsert([chunk(id, vector) for id, vector in enumerate(random_vectors(50))])
    await index.close()
    damage(path)

    with caplog.at_level(logging.WARNING):
        reopened = FaissVectorIndex(DIMENSIONS, path)

    assert await reopened.ids() == set()
    assert "dense index file discarded" in caplog.text
    await reopened.upsert([chunk(9, axis(0))])  # and it works as a new, empty index
    await reopened.close()
    assert await FaissVectorIndex(DIMENSIONS, path).ids() == {9}


async def test_a_faiss_file_of_other_dimensions_is_discarded_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "dense.index"
    index = FaissVectorIndex(DIMENSIONS, path)
    await index.upsert([chunk(1, axis(0))])
    await index.close()

    with caplog.at_level(logging.WARNING):
        reopened = FaissVectorIndex(DIMENSIONS * 2, path)

    assert await reopened.ids() == set()
    assert "another number of dimensions" in caplog.text


async def test_the_faiss_graph_search_under_a_filter_finds_the_exact_best(
    tmp_path: Path,
) -> None:
    # exact_below=0: a filter admitting 15% of the chunks is searched in the graph, with
    # efSearch widened by the filter's selectivity.
    index = FaissVectorIndex(DIMENSIONS, None, exact_below=0)
    vectors = random_vectors(2000, seed=5)
    chosen = set(range(0, 2000, 7)[:300])
    await index.upsert(
        [
            chunk(id, vector, meta("often" if id in chosen else "else"))
            for id, vector in enumerate(vectors)
        ]
    )
    often = ChunkFilter(spaces=frozenset({SPACE}), documents=frozenset({meta("often").document}))

    for query in vectors[1:6]:
        hits = await index.search(query, 10, often)
        exact = sorted(chosen, key=lambda id: -float(vectors[id] @ query))
        assert [hit.id for hit in hits] == exact[:10]
