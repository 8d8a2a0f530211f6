"""Two ms_vector instances on one database follow the same alias: one builds the new
generation (it holds the lease), the other, which never hears of the move, follows the record
once it serves; searches on both never fail nor come back empty, and the old chunks are dropped
only after both have switched."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import grpc
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.events import Outbox
from ms_ml.main import MlParts
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_vector.adapters.faiss_index import FaissVectorIndex
from ms_vector.config import DEFAULT_EMBEDDING_MODEL, Settings
from ms_vector.domain.generations import GenerationState
from ms_vector.main import VectorParts, vector_parts
from ms_vector.service.rollout import Rollout

from ..support import Spaces, UnreachableKnowledge
from .helpers import (
    ADMIN,
    ALIAS,
    Searcher,
    index_notes,
    models_found,
    register_truncated,
    rollout_in,
    until,
    until_recorded,
)

DOCUMENTS = 60


async def test_one_instance_builds_and_the_other_follows_the_record(
    vector: VectorParts,
    sessions: async_sessionmaker[AsyncSession],
    embedder: WordLlamaEmbedder,
    spaces: Spaces,
    ml: MlParts,
    ml_channel: grpc.aio.Channel,
    mint_token: Callable[..., str],
    tmp_path: Path,
) -> None:
    await index_notes(vector, spaces, DOCUMENTS)
    other = vector_parts(
        Settings(chunk_max_chars=400, chunk_overlap_chars=60),
        sessions,
        Outbox("ms_vector"),
        embedder,
        FaissVectorIndex(embedder.dimensions, tmp_path / "other.npz"),
        UnreachableKnowledge(),
    )
    await other.live.load()
    token = mint_token("serviceAccounts/ms-vector")

    def rollout(parts: VectorParts, name: str) -> Rollout:
        return rollout_in(
            tmp_path / name,
            sessions,
            parts.live,
            ml_channel,
            token,
            poll_seconds=0.2,
            # The old generation's chunks stay until the other instance has followed: a second
            # was too short on a busy machine (its follower took longer to load the new model,
            # and a search there found the old chunks gone). The service's default is 30 s.
            retire_grace_seconds=8.0,
            instance=name,
        )

    builder, follower = rollout(vector, "first"), rollout(other, "second")
    second = await register_truncated(ml, tmp_path / "truncated", dimensions=128)
    await ml.promotions.set_alias(ALIAS, second, "smaller vectors", ADMIN)
    searches = [Searcher(vector), Searcher(other)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(searcher.run(stop)) for searcher in searches]
    try:
        # Both start while the alias names the second version: both try; one holds the lease.
        tasks += [asyncio.create_task(builder.run(stop)), asyncio.create_task(follower.run(stop))]
        await until(lambda: vector.live.serving.model == other.live.serving.model == second)
        await until_recorded(sessions, {second})
        await until(lambda: all(s.models_seen[-1:] == [second] for s in searches))
    finally:
        stop.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)

    assert [r for r in results if isinstance(r, BaseException)] == []
    for searcher in searches:
        assert searcher.failures == [] and searcher.empty == 0
        assert searcher.models_seen == [DEFAULT_EMBEDDING_MODEL, second]
    assert await models_found(vector) == await models_found(other) == {second}
    records = {record.model: record for record in await builder.generations()}
    assert records[second].state is GenerationState.SERVING
    assert records[second].builder in {"first", "second"}
    assert records[second].documents_done == records[second].documents_total == DOCUMENTS
