"""What the platform costs per request: an authenticated GetDocument on PostgreSQL served by
ms_knowledge (its servicer and use case, SQLAlchemy, the kit's pipeline) against the same read
served by a bare grpc.aio handler running the same SQL with asyncpg, side by side.

    .venv/bin/fleet infra run -- .venv/bin/python benchmarks/document_read_overhead.py \
        [--in-flight N ...] [--seconds 3] [--rounds 3] [--content-bytes 4000]

Both servers run as child processes of this one, on one fresh database holding one space, its
owner's membership and one document; a separate client process drives one of them at a time
with N RPCs in flight (1 and 16 unless `--in-flight` says), alternating bare and platform
rounds and which goes first. Every call carries the same bearer token. Per RPC, both do what
GetDocument does: in one transaction, the caller's membership of the space (NOT_FOUND when not
a member), then the document's row, answered as a Document message. The bare handler takes the
caller as given (the platform verifies the token once and caches it); the platform adds the
kit's steps (log line, metrics, trace sampling, error mapping, authentication, NUL check), the
use case, a unit of work, SQLAlchemy Core and its pool's pre-ping. Prints QPS, p50/p95 latency
and server CPU per RPC (from /proc, the server process only; PostgreSQL's own work is the same
on both sides and not counted), the platform/bare ratios (medians of the rounds) and the load
average. The goal: the platform keeps at least half of bare capacity.

Measured on 2 cores shared with other work (load average 6.0 rising to 10.4 during the run),
a 4,000-byte document, `--seconds 3 --rounds 3` (the defaults):

| in flight | bare QPS | bare p50 / p95 | bare CPU/RPC | platform QPS | platform p50 / p95 | platform CPU/RPC | QPS ratio | CPU ratio |
|---|---|---|---|---|---|---|---|---|
| 1 | 395 | 1.52 / 7.36 ms | 793 µs | 202 | 2.82 / 13.44 ms | 2264 µs | 51.0% | 35.0% |
| 16 | 798 | 13.42 / 46.52 ms | 700 µs | 412 | 36.61 / 57.53 ms | 2115 µs | 51.7% | 33.1% |

The QPS ratio meets the goal of 0.5 only just; by CPU per RPC, what decides capacity when the
server is the bottleneck, the platform keeps about a third. The kit's steps are a small part of
the 1.4 ms added (about 0.1 ms in `kit_rpc_overhead.py`). Calling the use case directly in one
process, 1,000 reads: SQLAlchemy's session and Core execution over asyncpg cost about 1.2 ms of
CPU per read where the same two queries through asyncpg alone cost 0.57 ms; the statement spans
of the traced engine (`create_database_engine(traced=True)`, made even for unsampled requests)
add about 0.3 ms; the pool's pre-ping adds a round trip to PostgreSQL per checkout (7 socket
writes per read instead of 4). Those, not the RPC pipeline, are where to look next.

Looked at next (kit 1.18.0 and ms_knowledge's reads built once), on a quiet machine (load average
0.7-2.5), `--rounds 3`, each run beside one of kit 1.17.0 with the reads built per request:

| in flight | bare QPS | before: platform QPS, CPU/RPC, QPS ratio | after: platform QPS, CPU/RPC, QPS ratio |
|---|---|---|---|
| 1 | 893-1,074 | 494-544, 1,390-1,505 us, 48.0-53.4% | 703-710, 1,023-1,029 us, 74.4-79.6% |
| 16 | 2,245-2,494 | 902-956, 1,092-1,171 us, 38.2-40.7% | 1,344-1,413, 759-813 us, 57.3-60.8% |

On a quiet machine the bare server scales further at 16 in flight than on the busy one above, and
the platform had fallen to 38-41%. Platform CPU per RPC at 16 in flight as the changes went in,
each step measured beside 1.17.0 (1,092-1,171 us): the pool's check in one round trip instead of
SQLAlchemy's three, 1,082 us; statement spans inside a recorded span only (an unsampled read made
an orphan root span per statement), 965-1,040 us; no check of a connection used within the last
second, 898-970 us; ms_knowledge's membership and document reads built once with bound
parameters (built per request, each statement's construction and cache key cost 75-95 us),
759-813 us.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import grpc
from knowledge.knowledge.v1 import document_pb2, document_service_pb2
from rpc_load import FIELDS, Sample, closed_loop, measure, median, start_server

SERVICE = "knowledge.knowledge.v1.DocumentService"
METHOD = f"/{SERVICE}/GetDocument"
CALLER = "users/bench"
# What SQLAlchemy sends for SqlSpaceMemberRepository.get and SqlDocumentRepository.get.
MEMBER_QUERY = (
    'SELECT space_members.space, space_members."user", space_members.role, '
    "space_members.create_time, space_members.invited_by FROM space_members "
    'WHERE space_members.space = $1::VARCHAR AND space_members."user" = $2::VARCHAR'
)
DOCUMENT_QUERY = (
    "SELECT documents.name, documents.space, documents.title, documents.content, "
    "documents.content_type, documents.revision, documents.etag, documents.create_time, "
    "documents.update_time, documents.creator, documents.last_editor FROM documents "
    "WHERE documents.name = $1::VARCHAR"
)


class BareDocuments:
    """GetDocument by hand: asyncpg, the two queries, the message."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def GetDocument(
        self,
        request: document_service_pb2.GetDocumentRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> document_service_pb2.GetDocumentResponse:
        space = request.name.rpartition("/documents/")[0]
        async with self._pool.acquire() as connection, connection.transaction():
            member = await connection.fetchrow(MEMBER_QUERY, space, CALLER)
            row = await connection.fetchrow(DOCUMENT_QUERY, request.name) if member else None
        if row is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"{request.name} does not exist")
        document = document_pb2.Document(
            name=row["name"],
            title=row["title"],
            content=row["content"],
            content_type=row["content_type"],
            revision=row["revision"],
            etag=row["etag"],
            creator=row["creator"],
            last_editor=row["last_editor"],
        )
        document.create_time.FromDatetime(row["create_time"])
        document.update_time.FromDatetime(row["update_time"])
        return document_service_pb2.GetDocumentResponse(document=document)


async def _serve_bare(ready: Connection, database_url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    # The sizes of the kit's PostgreSQL pool (5, overflowing to 15).
    pool = await asyncpg.create_pool(
        database_url.replace("postgresql+asyncpg://", "postgresql://"), min_size=5, max_size=15
    )
    servicer = BareDocuments(pool)
    handlers = {
        "GetDocument": grpc.unary_unary_rpc_method_handler(
            servicer.GetDocument,
            request_deserializer=document_service_pb2.GetDocumentRequest.FromString,
            response_serializer=document_service_pb2.GetDocumentResponse.SerializeToString,
        )
    }
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    ready.send(port)
    await server.wait_for_termination()


async def _serve_platform(
    ready: Connection, database_url: str, jwks_url: str, issuer: str, audience: str
) -> None:
    from knowledge_kit.database import create_database_engine, session_factory
    from knowledge_kit.observability import configure_logging, configure_tracing
    from ms_knowledge import main as knowledge_main
    from ms_knowledge.config import Settings

    settings = Settings(
        grpc_host="127.0.0.1",
        grpc_port=0,
        database_url=database_url,
        auth_jwks_url=jwks_url,
        auth_issuer=issuer,
        auth_audience=audience,
    )
    # What the runtime does for a service, less the outbox relay and the Kafka listener.
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    configure_tracing(settings.service_name, sample_ratio=settings.trace_sample_ratio)
    sessions = session_factory(create_database_engine(database_url))
    server = knowledge_main.build_server(
        settings, knowledge_main.knowledge_servicers(settings, sessions)
    )
    port = await server.start()
    gc.freeze()  # as the runtime does once started
    ready.send(port)
    await asyncio.Event().wait()


def _server_process(kind: str, ready: Connection, *args: Any) -> None:
    if kind == "bare":
        asyncio.run(_serve_bare(ready, *args))
    else:
        # The JSON lines are rendered and written as in production, then discarded.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        asyncio.run(_serve_platform(ready, *args))


async def _drive(
    server_pid: int, port: int, in_flight: int, seconds: float, token: str, name: str
) -> Sample:
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        get = channel.unary_unary(
            METHOD,
            request_serializer=document_service_pb2.GetDocumentRequest.SerializeToString,
            response_deserializer=document_service_pb2.GetDocumentResponse.FromString,
        )
        request = document_service_pb2.GetDocumentRequest(name=name)
        for _ in range(200):  # warm up the connection, pools, caches and token verification
            answer = await get(request, metadata=metadata)
        assert answer.document.name == name
        return await closed_loop(
            lambda: get(request, metadata=metadata), server_pid, in_flight, seconds
        )


async def _seed(database_url: str, content_bytes: int) -> str:
    """The migrated database with the caller's space and one document in it; its name."""
    from knowledge_kit.api import PageTokens
    from knowledge_kit.database import create_database_engine, session_factory
    from knowledge_kit.database.migrations import upgrade_database
    from knowledge_kit.events import Outbox
    from ms_knowledge import main as knowledge_main
    from ms_knowledge.config import Settings
    from ms_knowledge.repository.unit_of_work import SqlKnowledgeUnitOfWork
    from ms_knowledge.service.change_feed import DocumentChangeFeed
    from ms_knowledge.service.documents import DocumentDraft, DocumentUseCases
    from ms_knowledge.service.spaces import SpaceUseCases

    await upgrade_database(database_url, knowledge_main.MIGRATIONS)
    engine = create_database_engine(database_url, traced=False)
    sessions = session_factory(engine)
    settings = Settings(database_url=database_url)
    outbox, feed = Outbox(settings.service_name), DocumentChangeFeed(10)
    pages = PageTokens.for_service(settings)

    def unit_of_work() -> SqlKnowledgeUnitOfWork:
        return SqlKnowledgeUnitOfWork(sessions, outbox)

    try:
        space = await SpaceUseCases(unit_of_work, feed, pages=pages).create_space(
            CALLER, space_id="handbook", display_name="Handbook", description=""
        )
        paragraph = "Steps to roll a service back, and who to call when it does not help. "
        document = await DocumentUseCases(unit_of_work, feed, pages=pages).create_document(
            CALLER,
            space.name,
            DocumentDraft(
                title="Rollback",
                content=(paragraph * (content_bytes // len(paragraph) + 1))[:content_bytes],
                content_type="text/markdown",
            ),
        )
    finally:
        await engine.dispose()
    return document.name


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--in-flight",
        type=int,
        nargs="+",
        default=[1, 16],
        metavar="N",
        help="RPCs in flight, one row each (default: 1 16)",
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternating bare/platform rounds")
    parser.add_argument(
        "--content-bytes", type=int, default=4000, help="size of the document's content"
    )
    options = parser.parse_args()
    if min(options.in_flight) < 1:
        parser.error("--in-flight: each N must be at least 1")

    from knowledge_kit.testing import JwksEndpoint
    from knowledge_kit.testing.infrastructure import (
        POSTGRES_URL_ENV,
        asyncpg_url,
        create_database,
        drop_database,
        unique_name,
    )

    postgres = os.environ.get(POSTGRES_URL_ENV)
    if not postgres:
        sys.exit(f"{POSTGRES_URL_ENV} is unset: run under `fleet infra run --`")
    database = unique_name("read_overhead")
    asyncio.run(create_database(postgres, database))
    database_url = asyncpg_url(postgres, database)
    endpoint = JwksEndpoint()
    servers: dict[str, tuple[multiprocessing.Process, int]] = {}
    try:
        name = asyncio.run(_seed(database_url, options.content_bytes))
        token = endpoint.mint(CALLER, ttl_seconds=3600)
        servers["bare"] = start_server(_server_process, "bare", database_url)
        servers["platform"] = start_server(
            _server_process,
            "platform",
            database_url,
            endpoint.url,
            endpoint.issuer,
            endpoint.audience,
        )
        _compare(servers, options, token, name)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.join()
        endpoint.close()
        asyncio.run(drop_database(postgres, database))


def _compare(
    servers: dict[str, tuple[multiprocessing.Process, int]],
    options: argparse.Namespace,
    token: str,
    name: str,
) -> None:
    print(f"GetDocument of a {options.content_bytes}-byte document, one PostgreSQL database")
    print(f"load average at start: {_load_average()}")
    print(
        f"{'in flight':>9} | {'bare QPS':>8} {'p50 ms':>6} {'p95 ms':>6} {'CPU/RPC':>8} | "
        f"{'plat QPS':>8} {'p50 ms':>6} {'p95 ms':>6} {'CPU/RPC':>8} | {'QPS ratio':>9} {'CPU ratio':>9}"
    )
    for in_flight in options.in_flight:
        samples: dict[str, list[Sample]] = {"bare": [], "platform": []}
        for round_number in range(options.rounds):
            order = ("bare", "platform") if round_number % 2 == 0 else ("platform", "bare")
            for kind in order:
                process, port = servers[kind]
                samples[kind].append(
                    measure(_drive, process, port, in_flight, options.seconds, token, name)
                )
        bare, platform = (
            [median(samples[kind], field) for field in FIELDS] for kind in ("bare", "platform")
        )
        print(
            f"{in_flight:>9} | {bare[0]:>8.0f} {bare[1]:>6.2f} {bare[2]:>6.2f} {bare[3]:>6.0f}us | "
            f"{platform[0]:>8.0f} {platform[1]:>6.2f} {platform[2]:>6.2f} {platform[3]:>6.0f}us | "
            f"{platform[0] / bare[0]:>9.1%} {bare[3] / platform[3]:>9.1%}"
        )
    print(f"load average at end: {_load_average()}")


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
