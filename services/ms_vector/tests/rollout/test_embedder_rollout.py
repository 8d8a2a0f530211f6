"""Promoting another embedder version in ms_ml re-indexes side by side and switches over: ms_ml
and ms_vector run in this process on their own databases, the alias's move reaches ms_vector as
ModelAliasMoved through a real Kafka broker, the new version's artifact is downloaded over gRPC
(its SHA-256 checked) and loaded, and a searcher running all along never sees a failed or empty
search; afterwards the results come from the new generation, embedded by the new version."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import grpc
from knowledge_kit.events import EventConsumer, Outbox, relaying_outbox
from knowledge_kit.spaces import MemberRole
from knowledge_kit.testing import unique_name
from ms_ml.domain.models import VersionDraft
from ms_ml.main import MlParts
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_vector.adapters.artifact_embedder import fingerprint, shipped_files
from ms_vector.config import DEFAULT_EMBEDDING_MODEL, Settings
from ms_vector.domain.generations import GenerationState
from ms_vector.domain.search_mode import SearchMode
from ms_vector.main import VectorParts, serving_embedder
from ms_vector.server.events import FollowedAlias, event_handlers
from ms_vector.server.generation_metrics import GenerationMetrics
from ms_vector.service.search import SearchQuery

from ..support import Spaces, revision
from .helpers import (
    ADA,
    ADMIN,
    ALIAS,
    SPACE,
    TOPICS,
    Searcher,
    chunk_ids,
    chunked,
    following,
    index_notes,
    models_found,
    register_truncated,
    rollout_in,
    until,
    until_recorded,
)

FOLLOWING = Settings(embedder_alias="production")
POLL_SECONDS = 0.2
GRACE_SECONDS = 0.5
DOCUMENTS = 120


async def test_a_promoted_embedder_is_rolled_out_beside_the_serving_one_without_a_miss(
    vector: VectorParts,
    sessions: async_sessionmaker[AsyncSession],
    spaces: Spaces,
    ml: MlParts,
    ml_channel: grpc.aio.Channel,
    ml_sessions: async_sessionmaker[AsyncSession],
    mint_token: Callable[..., str],
    kafka_bootstrap: str,
    tmp_path: Path,
) -> None:
    await index_notes(vector, spaces, DOCUMENTS)
    assert await models_found(vector) == {DEFAULT_EMBEDDING_MODEL}
    shipped_ids = await chunk_ids(sessions)
    # As the service's start does: the shipped model's files are fingerprinted.
    vector.live.serving.fingerprint = fingerprint(shipped_files())

    rollout = rollout_in(
        tmp_path,
        sessions,
        vector.live,
        ml_channel,
        mint_token("serviceAccounts/ms-vector"),
        poll_seconds=POLL_SECONDS,
        retire_grace_seconds=GRACE_SECONDS,
    )
    scraped = CollectorRegistry()
    GenerationMetrics(rollout.latest, scraped)
    consumer = EventConsumer(
        service="ms_vector",
        bootstrap=kafka_bootstrap,
        topics=["ml.models.v1"],
        sessions=sessions,
        handlers=event_handlers(
            vector.indexing,
            vector.live,
            Outbox("ms_vector"),
            FollowedAlias("models/embedder", "production", rollout),
        ),
        group_id=unique_name("ms-vector-rollout-test"),
        max_attempts=1,
    )
    searches = Searcher(vector)
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(vector.live.run(stop)),
        asyncio.create_task(consumer.run(stop)),
        asyncio.create_task(searches.run(stop)),
    ]
    try:
        async with relaying_outbox(ml_sessions, kafka_bootstrap, client_id="ms_ml"):
            # At start ms_vector asks ms_ml: version 1 (the shipped weights) holds the alias.
            tasks.append(asyncio.create_task(rollout.run(stop)))
            await until(lambda: vector.live.serving.model == "models/embedder/versions/1")
            # The same files as the shipped model: its chunks were relabelled, not embedded again.
            assert await chunk_ids(sessions) == shipped_ids
            assert await models_found(vector) == {"models/embedder/versions/1"}

            # A second version: the same WordLlama weights cut to their first 128 dimensions.
            second = await register_truncated(ml, tmp_path / "truncated", dimensions=128)
            await ml.promotions.set_alias(ALIAS, second, "smaller vectors", ADMIN)
            await until(lambda: vector.live.building is not None)
            # The index status shows both generations while the new one is built.
            assert _gauge(scraped, model=second, state="building") == 1
            assert _gauge(scraped, model="models/embedder/versions/1", state="serving") == 1
            # An edit while the new generation is built reaches both generations.
            await vector.documents.index(
                ADA,
                revision(f"{SPACE}/documents/late", "# Late\n\nbadges are printed at reception"),
            )
            await until(lambda: vector.live.serving.model == second)
            assert vector.live.building is None
            await until(lambda: searches.models_seen[-1:] == [second])
            await until_recorded(sessions, {second})  # the old chunks dropped after the grace
    finally:
        stop.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert searches.failures == [] and searches.empty == 0
    assert searches.while_building > 0  # searched while the new generation was built
    # The searcher saw each generation answer in turn, never a mix.
    assert searches.models_seen[-2:] == ["models/embedder/versions/1", second]
    assert searches.models_seen[0] in {DEFAULT_EMBEDDING_MODEL, "models/embedder/versions/1"}
    assert vector.live.serving.embedder.dimensions == 128
    # Everything is in the new generation, the old ones are gone from the record and disk.
    assert await models_found(vector) == {second}
    page = await vector.search.search(ADA, SearchQuery("badges reception", SearchMode.DENSE))
    assert page.results[0].chunk.document == f"{SPACE}/documents/late"
    assert not (tmp_path / "index.npz").exists()
    records = {record.model: record for record in await rollout.generations()}
    assert records[second].state is GenerationState.SERVING
    # The build counts the serving generation's documents at each pass: the late edit is counted
    # when a pass came after it, else it reached the new generation as an edit written to both
    # (found by the search above).
    assert records[second].documents_done == records[second].documents_total
    assert records[second].documents_total in {DOCUMENTS, DOCUMENTS + 1}
    assert records["models/embedder/versions/1"].state is GenerationState.RETIRED
    assert _gauge(scraped, model=second, state="serving") == 1

    # A restart serves the new version from its verified local copy, ms_ml out of reach.
    async with grpc.aio.insecure_channel("127.0.0.1:9") as nowhere:
        offline = following(nowhere, "", tmp_path / "models")
        restarted = await serving_embedder(FOLLOWING, sessions, offline)
    assert (restarted.embedder.model, restarted.embedder.dimensions) == (second, 128)


async def test_a_version_that_cannot_embed_fails_its_generation_and_the_serving_one_goes_on(
    vector: VectorParts,
    sessions: async_sessionmaker[AsyncSession],
    spaces: Spaces,
    ml: MlParts,
    ml_channel: grpc.aio.Channel,
    mint_token: Callable[..., str],
    tmp_path: Path,
) -> None:
    await spaces.add(SPACE, ADA, MemberRole.EDITOR)
    await vector.documents.index(ADA, revision(f"{SPACE}/documents/laptops", TOPICS[0]))
    scorer = json.dumps({"weights": [1.0], "bias": 0.0}).encode()
    sha256 = hashlib.sha256(scorer).hexdigest()
    await ml.artifacts.upload(chunked(scorer), size_bytes=len(scorer), sha256=sha256)
    wrong = await ml.registry.create_version(
        "models/embedder",
        VersionDraft(sha256=sha256, size_bytes=len(scorer), format="linear-json"),
        ADMIN,
    )
    token = mint_token("serviceAccounts/ms-vector")
    rollout = rollout_in(tmp_path, sessions, vector.live, ml_channel, token)

    assert await rollout.roll_out(wrong.name) is False

    records = {record.model: record for record in await rollout.generations()}
    assert records[wrong.name].state is GenerationState.FAILED
    assert "not wordllama-tar" in records[wrong.name].error
    assert vector.live.serving.model == DEFAULT_EMBEDDING_MODEL and vector.live.building is None
    page = await vector.search.search(ADA, SearchQuery("when do laptops arrive"))
    assert [found.chunk.document for found in page.results] == [f"{SPACE}/documents/laptops"]


def _gauge(registry: CollectorRegistry, **labels: str) -> float | None:
    return registry.get_sample_value("vector_index_generation", labels)
