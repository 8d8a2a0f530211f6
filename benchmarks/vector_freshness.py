"""How soon an edit is searchable: DocumentUpdated committed to ms_knowledge's outbox until
SearchChunks finds the new revision in ms_vector, through a real Kafka broker, side by side with
a bare consumer of the same events that only notes when each arrives.

    .venv/bin/fleet infra run -- .venv/bin/python benchmarks/vector_freshness.py
        [--edits 100] [--chunks 20000] [--documents 10]

(or with the `export` lines `fleet infra up` prints: it needs KNOWLEDGE_TEST_KAFKA_BOOTSTRAP.)

The producer side is ms_knowledge's, as its use cases publish: each edit records DocumentUpdated
(the whole new content, a Markdown page of this repository's prose holding one word that
occurs nowhere else) with the kit's Outbox in a transaction on its own SQLite database, and the
kit's outbox relay, woken by the commit, publishes it. "Committed" is when that commit returns.

ms_vector runs as in production, `python -m ms_vector` with MS_VECTOR_* settings: it consumes
fresh documents and spaces topics (the documents topic with knowledge.documents.v1's 12
partitions) through the kit's inbox, indexes each revision (chunked, embedded, recorded in its
SQLite database in the consumer's transaction), refreshes its in-memory BM25 and HNSW indexes
after the commit, and relays DocumentIndexed to vector.index.v1. Its database holds an index of
`--chunks` chunks beforehand (vector_corpus.py), the edited documents among them, and the
searching user reads their spaces. After each commit this process asks SearchChunks (lexical
mode, the edit's word, through the kit's gRPC pipeline with a minted token) every
`--poll-ms` until the new revision is found: "searchable" is when the answer that finds it
arrives.

The baseline, in this process: an aiokafka consumer of the same topic in a group of its own,
as the kit's consumer is set up, that only notes when each event arrives. Its latency is the
outbox relay's and Kafka's; the service's minus it is the service's own (consume, index,
refresh, and the polling's granularity). Edits are one at a time, a random 50-250 ms apart,
after a few unmeasured ones (the consumer groups joining).

Measured on 2 cores shared with other work (load average 1.9 at start, 3.2 at end), 20,000
chunks beforehand, 100 edits of 10 documents, SearchChunks polled every 10 ms (in 1m20s):

    committed ->                          p50 ms   p95 ms   max ms
    arrived at the bare consumer              11       20       32
    searchable in ms_vector                   41       57      107
      of which after the bare arrival         29       42       95
    ms_vector / bare: p50 3.5, p95 2.8

The goal (p95 <= 2 s) is met by far: an edit is searchable about 30 ms after Kafka delivers it
(consume, chunk, embed, record and commit with the inbox row, then the live index's refresh).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import statistics
import string
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
from aiokafka import AIOKafkaConsumer  # type: ignore[import-untyped]
from fleet.infra.net import free_port
from grpc_health.v1 import health_pb2
from knowledge.common.v1 import event_envelope_pb2
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentUpdated
from knowledge.topics import KNOWLEDGE_DOCUMENTS_V1, KNOWLEDGE_SPACES_V1, Topic
from knowledge.vector.v1 import vector_service_pb2 as api
from knowledge.vector.v1 import vector_service_pb2_grpc
from knowledge_kit.database import UnitOfWork, create_database_engine, session_factory
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.events import EVENTS_METADATA, Outbox, kafka_client_options, relaying_outbox
from knowledge_kit.testing import KAFKA_BOOTSTRAP_ENV, JwksEndpoint, unique_name
from knowledge_kit.testing.infrastructure import create_topics
from ms_vector.config import Settings
from ms_vector.domain.chunks import DocumentRevision
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from vector_corpus import Writer, chunking_policy, load_average, prose_sentences, record_index

USER = "users/bench"
SPACES = [f"spaces/space-{i:02d}" for i in range(20)]
WARM_UP_EDITS = 3
START_LIMIT_SECONDS = 120
EDIT_LIMIT_SECONDS = 30


@dataclass
class Edit:
    document: str
    revision: int
    word: str
    committed: float = 0.0
    event_id: str = ""
    searchable: float = 0.0


class ArrivalLog:
    """When each event arrived at the bare consumer, by event id."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self._changed = asyncio.Event()

    def note(self, event_id: str, at: float) -> None:
        self.arrived[event_id] = at
        self._changed.set()

    async def wait_for(self, event_id: str) -> float:
        while event_id not in self.arrived:
            self._changed.clear()
            await self._changed.wait()
        return self.arrived[event_id]


async def _bare_consumer(bootstrap: str, topic: str, log: ArrivalLog, stop: asyncio.Event) -> None:
    """A consumer as the kit's is set up, doing nothing with an event but noting it."""
    consumer = AIOKafkaConsumer(
        topic,
        **kafka_client_options(bootstrap),
        group_id=unique_name("bench-bare"),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200)
            arrived = time.perf_counter()
            for records in batches.values():
                for record in records:
                    envelope = event_envelope_pb2.EventEnvelope.FromString(record.value)
                    log.note(envelope.id, arrived)
    finally:
        await consumer.stop()


@asynccontextmanager
async def _knowledge_outbox(
    directory: Path, bootstrap: str, topics: list[Topic]
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], Outbox]]:
    """ms_knowledge's side: a database with the kit's outbox, relayed while the block runs."""
    engine = create_database_engine(f"sqlite+aiosqlite:///{directory / 'knowledge.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(EVENTS_METADATA.create_all)
    sessions = session_factory(engine)
    outbox = Outbox("ms_knowledge", topics=[topic.name for topic in topics])
    try:
        async with relaying_outbox(sessions, bootstrap, client_id="ms_knowledge"):
            yield sessions, outbox
    finally:
        await engine.dispose()


@asynccontextmanager
async def _vector_service(
    directory: Path, bootstrap: str, endpoint: JwksEndpoint, consumed: list[str]
) -> AsyncIterator[str]:
    """`python -m ms_vector` on the database in `directory`; yields its gRPC target once it
    answers health checks, and stops it with SIGTERM."""
    port = free_port()
    settings = {
        "GRPC_HOST": "127.0.0.1",
        "GRPC_PORT": str(port),
        "AUTH_JWKS_URL": endpoint.url,
        "AUTH_ISSUER": endpoint.issuer,
        "AUTH_AUDIENCE": endpoint.audience,
        "DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'vector.db'}",
        "INDEX_PATH": str(directory / "vector-index.npz"),
        "KAFKA_BOOTSTRAP": bootstrap,
        "KAFKA_CONSUMER_GROUP": unique_name("bench-ms-vector"),
        "CONSUMED_TOPICS": json.dumps(consumed),
    }
    environment = {**os.environ, **{f"MS_VECTOR_{key}": value for key, value in settings.items()}}
    output = directory / "ms_vector.log"
    with output.open("wb") as log:
        service = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ms_vector", env=environment, stdout=log, stderr=log
        )
    target = f"127.0.0.1:{port}"
    try:
        async with grpc.aio.insecure_channel(target) as channel:
            check = channel.unary_unary(
                "/grpc.health.v1.Health/Check",
                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                response_deserializer=health_pb2.HealthCheckResponse.FromString,
            )
            try:
                await check(
                    health_pb2.HealthCheckRequest(),
                    timeout=START_LIMIT_SECONDS,
                    wait_for_ready=True,
                )
            except grpc.aio.AioRpcError as failed:
                tail = output.read_text(errors="replace")[-3000:]
                raise SystemExit(
                    f"ms_vector did not start ({failed.code().name}):\n{tail}"
                ) from None
        yield target
    finally:
        if service.returncode is None:
            service.terminate()
            try:
                await asyncio.wait_for(service.wait(), 30)
            except TimeoutError:
                service.kill()
                await service.wait()


async def _run(options: argparse.Namespace, bootstrap: str) -> None:
    print(f"load average at start: {load_average()}")
    rng = random.Random(options.seed)
    settings = Settings()
    writer = Writer(prose_sentences(), seed=options.seed)
    documents, chunks = writer.documents(options.chunks, SPACES, chunking_policy(settings))
    if len(documents) < options.documents:
        raise SystemExit(f"--chunks {options.chunks} gives fewer than --documents documents")
    edited = documents[: options.documents]
    readable = sorted({document.space for document in documents})
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        started = time.perf_counter()
        await record_index(
            f"sqlite+aiosqlite:///{directory / 'vector.db'}",
            settings,
            WordLlamaEmbedder(),
            documents,
            {USER: readable},
        )
        print(
            f"{len(documents):,} documents, {chunks:,} chunks recorded beforehand in "
            f"{time.perf_counter() - started:.0f} s"
        )
        documents_topic = dataclasses.replace(
            KNOWLEDGE_DOCUMENTS_V1, name=unique_name("bench_documents")
        )
        spaces_topic = dataclasses.replace(KNOWLEDGE_SPACES_V1, name=unique_name("bench_spaces"))
        for topic in (documents_topic, spaces_topic):
            await create_topics(bootstrap, [topic.name], topic.partitions)
        endpoint = JwksEndpoint()
        token = endpoint.mint(USER, ttl_seconds=3600)
        arrivals = ArrivalLog()
        stop = asyncio.Event()
        bare = asyncio.create_task(_bare_consumer(bootstrap, documents_topic.name, arrivals, stop))
        try:
            started = time.perf_counter()
            async with (
                _vector_service(
                    directory, bootstrap, endpoint, [documents_topic.name, spaces_topic.name]
                ) as target,
                _knowledge_outbox(directory, bootstrap, [documents_topic, spaces_topic]) as (
                    sessions,
                    outbox,
                ),
                grpc.aio.insecure_channel(target) as channel,
            ):
                print(f"ms_vector serving in {time.perf_counter() - started:.0f} s")
                stub = vector_service_pb2_grpc.VectorServiceStub(channel)
                metadata = (("authorization", f"Bearer {token}"),)
                revisions = {document.document: 1 for document in edited}
                measured: list[Edit] = []
                for number in range(WARM_UP_EDITS + options.edits):
                    base = edited[number % len(edited)]
                    revisions[base.document] += 1
                    edit = Edit(base.document, revisions[base.document], _word(rng))
                    _, page = writer.markdown(rng.randint(2, 6))
                    await _commit(sessions, outbox, documents_topic, base, page, edit)
                    await asyncio.wait_for(
                        _until_searchable(stub, metadata, edit, options.poll_ms / 1000),
                        EDIT_LIMIT_SECONDS,
                    )
                    await asyncio.wait_for(arrivals.wait_for(edit.event_id), EDIT_LIMIT_SECONDS)
                    if number >= WARM_UP_EDITS:
                        measured.append(edit)
                    await asyncio.sleep(rng.uniform(0.05, 0.25))
        finally:
            stop.set()
            await asyncio.gather(bare, return_exceptions=True)
            endpoint.close()
    _report(measured, arrivals, options.poll_ms)
    print(f"load average at end: {load_average()}")


async def _commit(
    sessions: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    topic: Topic,
    base: DocumentRevision,
    page: str,
    edit: Edit,
) -> None:
    """The edit as ms_knowledge records it: the event in the outbox, in the edit's transaction;
    the new content is `page` with the edit's word in a paragraph of its own."""
    paragraphs = page.split("\n\n")
    paragraphs.insert(len(paragraphs) // 2, f"This revision is filed under {edit.word}.")
    event = DocumentUpdated(
        document=edit.document,
        space=base.space,
        title=base.title,
        content="\n\n".join(paragraphs),
        content_type=base.content_type,
        revision=edit.revision,
        previous_revision=edit.revision - 1,
        author=Actor(name=USER),
    )
    async with UnitOfWork(sessions) as uow:
        envelope = await outbox.record(uow.session, topic, event, subject=edit.document)
        await uow.commit()
    edit.committed = time.perf_counter()
    edit.event_id = envelope.id


async def _until_searchable(
    stub: vector_service_pb2_grpc.VectorServiceAsyncStub,
    metadata: tuple[tuple[str, str], ...],
    edit: Edit,
    interval: float,
) -> None:
    request = api.SearchChunksRequest(query=edit.word, mode=api.SEARCH_MODE_LEXICAL, page_size=1)
    while True:
        response = await stub.SearchChunks(request, metadata=metadata)
        if any(
            result.chunk.document == edit.document and result.chunk.revision == edit.revision
            for result in response.results
        ):
            edit.searchable = time.perf_counter()
            return
        await asyncio.sleep(interval)


def _word(rng: random.Random) -> str:
    """A word no text holds (letters only, so it is one term, and unchanged by stemming)."""
    return "zq" + "".join(rng.choice(string.ascii_lowercase[:20]) for _ in range(10)) + "x"


def _report(edits: list[Edit], arrivals: ArrivalLog, poll_ms: float) -> None:
    def cuts(values: list[float]) -> tuple[float, float, float]:
        ms = [value * 1000 for value in values]
        return (
            statistics.median(ms),
            statistics.quantiles(ms, n=20, method="inclusive")[18],
            max(ms),
        )

    bare = cuts([arrivals.arrived[edit.event_id] - edit.committed for edit in edits])
    service = cuts([edit.searchable - edit.committed for edit in edits])
    own = cuts([edit.searchable - arrivals.arrived[edit.event_id] for edit in edits])
    print(f"{len(edits)} edits, SearchChunks polled every {poll_ms:g} ms")
    print(f"{'committed ->':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, figures in (
        ("arrived at the bare consumer", bare),
        ("searchable in ms_vector", service),
        ("  of which after the bare arrival", own),
    ):
        print(f"{label:<36} {figures[0]:>8.0f} {figures[1]:>8.0f} {figures[2]:>8.0f}")
    print(f"ratio ms_vector / bare: p50 {service[0] / bare[0]:.1f}, p95 {service[1] / bare[1]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--edits", type=int, default=100, help="edits measured")
    parser.add_argument("--chunks", type=int, default=20_000, help="chunks indexed beforehand")
    parser.add_argument("--documents", type=int, default=10, help="documents edited in turn")
    parser.add_argument("--poll-ms", type=float, default=10.0, help="pause between searches")
    parser.add_argument("--seed", type=int, default=17)
    options = parser.parse_args()
    if options.edits < 2 or options.documents < 1 or options.chunks < 1:
        parser.error("--edits must be at least 2, --documents and --chunks at least 1")
    bootstrap = os.environ.get(KAFKA_BOOTSTRAP_ENV)
    if not bootstrap:
        sys.exit(
            f"{KAFKA_BOOTSTRAP_ENV} is unset: run under `fleet infra run --`, or export the "
            "lines `fleet infra up` prints"
        )
    asyncio.run(_run(options, bootstrap))


if __name__ == "__main__":
    main()
