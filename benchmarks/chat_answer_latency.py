"""How long an answer takes: the first text and the stored answer of ms_chat's StreamAnswer,
through gRPC and through its WebSocket, side by side with ms_vector's SearchChunks alone (the
retrieval every answer starts with); and how soon StopAnswer takes effect.

    .venv/bin/python benchmarks/chat_answer_latency.py [--questions 60] [--stops 30] | tail -15

(the services' request logs come first; the figures are the last lines.)

Both services' real parts run in this process, as ms_chat's tests wire them: ms_vector's
servicer behind the kit's pipeline on its own SQLite database (WordLlama embeddings, FAISS and
lexical indexes) holding the ten-document snapshot of the platform's READMEs
(benchmarks/data/vector_retrieval/corpus); ms_chat's servicer and WebSocket endpoint on theirs,
retrieving through gRPC as the asker (a token minted by a local JWKS endpoint), answered by the
default (extractive) answerer with the default settings. The questions are the first ones of
benchmarks/data/vector_retrieval/questions.jsonl, each in a new conversation, asked one at a
time in turn through each path:

- search: SearchChunks as ms_chat sends it (hybrid, 8 passages), until its reply;
- grpc: StreamAnswer from the call until the first `token` event, and until the `answer` event;
- websocket: an "ask" frame from sending until the first token frame, and until the answer frame.

Stop: StreamAnswer, and StopAnswer sent as the `sources` event arrives (before any text); the
time from sending StopAnswer to its reply, and to the stream's stored answer, with how the
answers ended (an answer already stored by then ends COMPLETE or NO_ANSWER, not STOPPED).

Measured (2 shared cores, other work running, load average 2.8; 60 questions, 30 stops):

                                         p50 ms   p95 ms
    SearchChunks alone                      7.4     40.0
    gRPC StreamAnswer, first token         50.7     92.8
    gRPC StreamAnswer, stored answer       69.8    119.2
    WebSocket ask, first token             49.5    112.3
    WebSocket ask, stored answer           69.0    173.8
    StopAnswer, its reply                  28.3     43.6
    StopAnswer, the stream's answer        31.0     44.1
    ratio to SearchChunks, p50 / p95: gRPC first token 6.8 / 2.3, stored answer 9.4 / 3.0;
                                      WebSocket first token 6.7 / 2.8, stored answer 9.3 / 4.3
    stopped answers ended: STOPPED 30 of 30

Retrieval is a small part of an answer: the first text comes about 43 ms after SearchChunks
alone would have answered. Not broken down here; by the service's design that is storing the
question and the answer's events in the log each reader follows, the extractive answerer's
scoring of the passages' sentences, and the first piece of text gathering (token_chunk_chars
64, or token_flush_seconds 0.05). gRPC and the WebSocket are alike at the median; the WebSocket's tail is longer here
(one connection asks every question, and its frames are proto JSON). StopAnswer meets its
goal (<= 200 ms) by far: the answer stopped and stored within 44 ms at p95, every one STOPPED.
One run on a loaded machine: the tails move by tens of milliseconds between runs.

"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
import websockets
from knowledge.chat.v1 import chat_service_pb2 as chat_api
from knowledge.chat.v1 import chat_service_pb2_grpc, conversation_pb2
from knowledge.vector.v1 import vector_service_pb2 as vector_api
from knowledge.vector.v1 import vector_service_pb2_grpc
from knowledge_kit.database import UnitOfWork, create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.events import Outbox
from knowledge_kit.rpc import token_verifier
from knowledge_kit.rpc.server import ServiceServer
from knowledge_kit.settings import ServiceSettings
from knowledge_kit.spaces import MemberRole, SpaceMemberships
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.websocket import SUBPROTOCOL, serve_websockets
from ms_chat import main as chat_main
from ms_chat.adapters.vector_search import VectorSearch
from ms_chat.config import Settings as ChatSettings
from ms_chat.service.answerers import answerer_from
from ms_vector import main as vector_main
from ms_vector.adapters.faiss_index import FaissVectorIndex
from ms_vector.config import Settings as VectorSettings
from ms_vector.domain.chunks import DocumentRevision
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.typing import Subprotocol

if TYPE_CHECKING:
    from knowledge.chat.v1.chat_service_pb2_grpc import ChatServiceAsyncStub
    from knowledge.vector.v1.vector_service_pb2_grpc import VectorServiceAsyncStub

DATA = Path(__file__).parent / "data" / "vector_retrieval"
USER = "users/reader"
SPACE = "spaces/handbook"
PASSAGES = 8
UPDATED = datetime(2025, 1, 1, tzinfo=UTC)


class _NoDocumentSource:
    """ms_vector's source for ReindexSpace, which the benchmark never calls."""

    async def members(self, space: str, token: str) -> dict[str, int]:
        raise ConnectionError("ms_knowledge is not part of this benchmark")

    async def revisions(self, space: str, token: str) -> AsyncIterator[Any]:
        raise ConnectionError("ms_knowledge is not part of this benchmark")
        yield  # pragma: no cover - makes this an async generator


@dataclass
class Timings:
    search: list[float] = field(default_factory=list)
    grpc_first: list[float] = field(default_factory=list)
    grpc_final: list[float] = field(default_factory=list)
    ws_first: list[float] = field(default_factory=list)
    ws_final: list[float] = field(default_factory=list)
    stop_reply: list[float] = field(default_factory=list)
    stop_final: list[float] = field(default_factory=list)
    stop_endings: dict[str, int] = field(default_factory=dict)
    no_text: int = 0


@dataclass
class Running:
    chat: ChatServiceAsyncStub
    vector: VectorServiceAsyncStub
    socket_url: str
    token: str

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token}"),)


def percentiles(seconds: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    if len(seconds) < 2:
        only = seconds[0] * 1000 if seconds else float("nan")
        return only, only
    cuts = statistics.quantiles(seconds, n=20, method="inclusive")
    return statistics.median(seconds) * 1000, cuts[18] * 1000


async def migrated_sessions(url: str, migrations: Path) -> async_sessionmaker[AsyncSession]:
    await upgrade_database(url, migrations)
    return session_factory(create_database_engine(url))


async def member(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with UnitOfWork(sessions) as uow:
        await SpaceMemberships(uow.session).set_role(SPACE, USER, MemberRole.OWNER)
        await uow.commit()


@asynccontextmanager
async def platform(scratch: Path) -> AsyncIterator[Running]:
    """ms_vector and ms_chat served on loopback, the corpus indexed, the reader a member."""
    jwks = JwksEndpoint()
    settings = ServiceSettings(
        service_name="ms_bench",
        grpc_host="127.0.0.1",
        grpc_port=0,
        auth_jwks_url=jwks.url,
        auth_issuer=jwks.issuer,
        auth_audience=jwks.audience,
        auth_jwks_min_refresh_seconds=0,
        shutdown_grace_seconds=1,
    )
    embedder = WordLlamaEmbedder()
    vector_sessions = await migrated_sessions(
        f"sqlite+aiosqlite:///{scratch / 'vector.db'}", vector_main.MIGRATIONS
    )
    chat_sessions = await migrated_sessions(
        f"sqlite+aiosqlite:///{scratch / 'chat.db'}", chat_main.MIGRATIONS
    )
    dense = FaissVectorIndex(embedder.dimensions, scratch / "index.npz")
    vector = vector_main.vector_parts(
        VectorSettings(),
        vector_sessions,
        Outbox("ms_vector"),
        embedder,
        dense,
        _NoDocumentSource(),
    )
    await vector.live.load()
    for sessions in (vector_sessions, chat_sessions):
        await member(sessions)
    for path in sorted((DATA / "corpus").glob("*.md")):
        await vector.documents.index(
            USER,
            DocumentRevision(
                document=f"{SPACE}/documents/{path.stem.replace('_', '-')}",
                space=SPACE,
                revision=1,
                title=path.stem,
                content=path.read_text(),
                content_type="text/markdown",
                updated_at=UPDATED,
            ),
        )
    vector_server = ServiceServer(settings)
    for register, servicer in vector_main.servicers(vector):
        vector_server.add_servicer(register, servicer)
    vector_target = f"127.0.0.1:{await vector_server.start()}"

    chat_settings = ChatSettings()
    retrieval_channel = grpc.aio.insecure_channel(vector_target)
    chat = chat_main.chat_parts(
        chat_settings,
        chat_sessions,
        Outbox("ms_chat"),
        VectorSearch(retrieval_channel),
        answerer_from(chat_settings),
    )
    stop = asyncio.Event()
    producing = asyncio.create_task(chat.producers.run(stop))
    chat_server = ServiceServer(settings)
    for register, servicer in chat_main.servicers(chat):
        chat_server.add_servicer(register, servicer)
    chat_target = f"127.0.0.1:{await chat_server.start()}"
    sockets = await serve_websockets(
        chat_main.chat_socket(chat_settings, chat),
        token_verifier(settings),
        host="127.0.0.1",
        port=0,
        max_message_bytes=chat_settings.websocket_max_message_bytes,
    )
    socket_port = next(iter(sockets.sockets)).getsockname()[1]
    chat_channel = grpc.aio.insecure_channel(chat_target)
    vector_channel = grpc.aio.insecure_channel(vector_target)
    try:
        chat_stub: ChatServiceAsyncStub = chat_service_pb2_grpc.ChatServiceStub(chat_channel)
        vector_stub: VectorServiceAsyncStub = vector_service_pb2_grpc.VectorServiceStub(
            vector_channel
        )
        yield Running(
            chat_stub,
            vector_stub,
            f"ws://127.0.0.1:{socket_port}",
            jwks.mint(USER),
        )
    finally:
        sockets.close()
        await sockets.wait_closed()
        for channel in (chat_channel, vector_channel, retrieval_channel):
            await channel.close()
        await chat_server.stop(0)
        stop.set()
        await producing
        await vector_server.stop(0)
        await dense.close()
        jwks.close()


async def new_conversation(running: Running) -> str:
    reply = await running.chat.CreateConversation(
        chat_api.CreateConversationRequest(
            parent=USER, conversation=conversation_pb2.Conversation(title="benchmark")
        ),
        metadata=running.metadata,
    )
    return str(reply.conversation.name)


async def search(running: Running, question: str, timings: Timings) -> None:
    started = time.perf_counter()
    await running.vector.SearchChunks(
        vector_api.SearchChunksRequest(
            query=question[:1024],
            spaces=[SPACE],
            page_size=PASSAGES,
            mode=vector_api.SEARCH_MODE_HYBRID,
        ),
        metadata=running.metadata,
    )
    timings.search.append(time.perf_counter() - started)


async def ask_grpc(running: Running, question: str, timings: Timings) -> None:
    parent = await new_conversation(running)
    started = time.perf_counter()
    first: float | None = None
    stream = running.chat.StreamAnswer(
        chat_api.StreamAnswerRequest(parent=parent, content=question),
        metadata=running.metadata,
    )
    async for event in stream:
        kind = event.WhichOneof("event")
        if kind == "token" and first is None:
            first = time.perf_counter() - started
        elif kind == "answer":
            timings.grpc_final.append(time.perf_counter() - started)
            break
    if first is None:
        timings.no_text += 1
    else:
        timings.grpc_first.append(first)


async def ask_socket(
    socket: websockets.ClientConnection, running: Running, question: str, timings: Timings
) -> None:
    parent = await new_conversation(running)
    started = time.perf_counter()
    first: float | None = None
    await socket.send(json.dumps({"type": "ask", "parent": parent, "content": question}))
    while True:
        frame = json.loads(await socket.recv())
        if "error" in frame:
            raise RuntimeError(f"the socket refused the question: {frame['error']}")
        if "token" in frame and first is None:
            first = time.perf_counter() - started
        elif "answer" in frame:
            timings.ws_final.append(time.perf_counter() - started)
            break
    if first is not None:
        timings.ws_first.append(first)


async def stop_one(running: Running, question: str, timings: Timings) -> None:
    parent = await new_conversation(running)
    stream = running.chat.StreamAnswer(
        chat_api.StreamAnswerRequest(parent=parent, content=question),
        metadata=running.metadata,
    )
    asked: float | None = None
    async for event in stream:
        kind = event.WhichOneof("event")
        if kind == "sources" and asked is None:
            asked = time.perf_counter()
            await running.chat.StopAnswer(
                chat_api.StopAnswerRequest(name=event.answer_message),
                metadata=running.metadata,
            )
            timings.stop_reply.append(time.perf_counter() - asked)
        elif kind == "answer":
            if asked is not None:
                timings.stop_final.append(time.perf_counter() - asked)
            ending = conversation_pb2.AnswerStatus.Name(event.answer.status)
            ending = ending.removeprefix("ANSWER_STATUS_")
            timings.stop_endings[ending] = timings.stop_endings.get(ending, 0) + 1
            break


def questions(count: int) -> list[str]:
    lines = (DATA / "questions.jsonl").read_text().splitlines()[:count]
    return [str(json.loads(line)["question"]) for line in lines]


def report(timings: Timings, asked: int) -> None:
    print(f"{'':34} {'p50 ms':>8} {'p95 ms':>8}")
    rows = [
        ("SearchChunks alone", timings.search),
        ("gRPC StreamAnswer, first token", timings.grpc_first),
        ("gRPC StreamAnswer, stored answer", timings.grpc_final),
        ("WebSocket ask, first token", timings.ws_first),
        ("WebSocket ask, stored answer", timings.ws_final),
        ("StopAnswer, its reply", timings.stop_reply),
        ("StopAnswer, the stream's answer", timings.stop_final),
    ]
    for label, seconds in rows:
        p50, p95 = percentiles(seconds)
        print(f"{label:<34} {p50:>8.1f} {p95:>8.1f}")
    search50, search95 = percentiles(timings.search)
    for label, seconds in rows[1:5]:
        p50, p95 = percentiles(seconds)
        print(f"ratio {label} / search: p50 {p50 / search50:.1f}, p95 {p95 / search95:.1f}")
    print(f"questions {asked}; streams without a token {timings.no_text}")
    print(f"stopped answers ended: {timings.stop_endings}")
    print(f"load average {os.getloadavg()[0]:.1f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--stops", type=int, default=30)
    args = parser.parse_args()
    asked = questions(args.questions)
    timings = Timings()
    with tempfile.TemporaryDirectory(prefix="chat-latency-") as scratch:
        async with platform(Path(scratch)) as running:
            protocols = [SUBPROTOCOL, Subprotocol(f"bearer.{running.token}")]
            async with websockets.connect(running.socket_url, subprotocols=protocols) as socket:
                await ask_grpc(running, asked[0], Timings())  # warm-up, unmeasured
                for question in asked:
                    await search(running, question, timings)
                    await ask_grpc(running, question, timings)
                    await ask_socket(socket, running, question, timings)
            for question in asked[: args.stops]:
                await stop_one(running, question, timings)
    report(timings, len(asked))


if __name__ == "__main__":
    asyncio.run(main())
