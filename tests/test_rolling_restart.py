"""Graceful stop under load: two ms_knowledge processes behind the edge, replaced one after the
other (SIGTERM, the replacement started on the same address, then the other) while clients read
at a steady rate and keep watches open. No read fails, and every watch ends with UNAVAILABLE,
the status a client resumes on, never a reset.

The clients are what a real client is: the kit's `ServiceChannels`, which retries the methods it
is told are idempotent when they answer UNAVAILABLE (a read that reached an instance as it
stopped), and a watcher that opens its watch again when it ends. The edge's upstream for the
package is a gRPC target naming both instances, so its channel moves to whichever one accepts,
as a client-side balancer does.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from fleet.infra.net import free_port
from knowledge.knowledge.v1 import (
    document_pb2,
    document_service_pb2,
    space_pb2,
    space_service_pb2,
)
from knowledge.knowledge.v1.document_service_pb2_grpc import DocumentServiceStub
from knowledge.knowledge.v1.space_service_pb2_grpc import SpaceServiceStub
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.testing.infrastructure import throwaway_database
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from ms_knowledge import main as knowledge_main

from .edge_harness import running_edge
from .rolling_restart.instances import Slot
from .rolling_restart.traffic import UnaryLoad, Watcher

PACKAGE = "knowledge.knowledge.v1"
IDEMPOTENT = [
    f"{PACKAGE}.DocumentService/GetDocument",
    f"{PACKAGE}.SpaceService/ListSpaces",
    f"{PACKAGE}.DocumentService/WatchDocument",
    f"{PACKAGE}.DocumentService/WatchSpace",
]
READS_PER_SECOND = 40
GRACE_SECONDS = 3
LIVE_DEADLINE = 30.0


async def test_a_rolling_restart_under_load_fails_no_read_and_ends_watches_resumably(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint, tmp_path: Path
) -> None:
    owner = (("authorization", f"Bearer {jwks_endpoint.mint('users/olivia', ttl_seconds=600)}"),)
    async with throwaway_database(postgres_url, "rolling") as database_url:
        await upgrade_database(database_url, knowledge_main.MIGRATIONS)
        environment = {
            "MS_KNOWLEDGE_GRPC_HOST": "127.0.0.1",
            "MS_KNOWLEDGE_DATABASE_URL": database_url,
            "MS_KNOWLEDGE_DATABASE_MIGRATIONS": "skip",
            "MS_KNOWLEDGE_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "MS_KNOWLEDGE_AUTH_JWKS_URL": jwks_endpoint.url,
            "MS_KNOWLEDGE_AUTH_ISSUER": jwks_endpoint.issuer,
            "MS_KNOWLEDGE_AUTH_AUDIENCE": jwks_endpoint.audience,
            "MS_KNOWLEDGE_SHUTDOWN_GRACE_SECONDS": str(GRACE_SECONDS),
            "MS_KNOWLEDGE_LOG_LEVEL": "WARNING",
        }
        slots = [Slot(name, free_port(), environment, tmp_path) for name in ("a", "b")]
        channels = ServiceChannels(default_timeout_seconds=10, max_attempts=5)
        try:
            await asyncio.gather(*(slot.start() for slot in slots))
            edge_port = free_port()
            both = "ipv4:" + ",".join(slot.address for slot in slots)
            async with running_edge(grpc_routes={PACKAGE: both}, grpc_port=edge_port):
                channel = channels.channel(f"127.0.0.1:{edge_port}", idempotent_methods=IDEMPOTENT)
                spaces, documents = SpaceServiceStub(channel), DocumentServiceStub(channel)
                space = (
                    await spaces.CreateSpace(
                        space_service_pb2.CreateSpaceRequest(
                            space=space_pb2.Space(display_name="Runbooks")
                        ),
                        metadata=owner,
                    )
                ).space.name
                names = [
                    (
                        await documents.CreateDocument(
                            document_service_pb2.CreateDocumentRequest(
                                parent=space,
                                document=document_pb2.Document(title=title, content="# Steps"),
                            ),
                            metadata=owner,
                        )
                    ).document.name
                    for title in ("Deploy", "Rollback")
                ]
                load = UnaryLoad(
                    reads=[
                        lambda: documents.GetDocument(
                            document_service_pb2.GetDocumentRequest(name=names[0]), metadata=owner
                        ),
                        lambda: spaces.ListSpaces(
                            space_service_pb2.ListSpacesRequest(), metadata=owner
                        ),
                        lambda: documents.GetDocument(
                            document_service_pb2.GetDocumentRequest(name=names[1]), metadata=owner
                        ),
                    ],
                    per_second=READS_PER_SECOND,
                )
                watchers = [
                    Watcher(
                        f"WatchSpace {n}",
                        lambda: documents.WatchSpace(
                            document_service_pb2.WatchSpaceRequest(name=space), metadata=owner
                        ),
                    )
                    for n in (1, 2)
                ] + [
                    Watcher(
                        f"WatchDocument {name.rsplit('/', 1)[1][:8]}",
                        lambda name=name: documents.WatchDocument(  # type: ignore[misc]
                            document_service_pb2.WatchDocumentRequest(name=name), metadata=owner
                        ),
                    )
                    for name in names
                ]
                stop_reading = asyncio.Event()
                reading = asyncio.create_task(load.run(stop_reading))
                watching = [asyncio.create_task(watcher.run()) for watcher in watchers]
                await all_live(watchers)
                await asyncio.sleep(2)  # steady traffic before the first stop

                for slot in slots:
                    stopping = await slot.terminate()
                    await slot.start()
                    await slot.exited(stopping)
                    await all_live(watchers)
                    await asyncio.sleep(1)

                stop_reading.set()
                await reading
                for task in watching:
                    task.cancel()
                await asyncio.gather(*watching, return_exceptions=True)
        finally:
            await channels.close()
            for slot in slots:
                await slot.kill()

    print(
        f"\nunary reads: {load.sent} sent at {READS_PER_SECOND}/s, {load.succeeded} answered "
        f"(those an instance refused as it stopped were retried by the channel), "
        f"failed: {dict(load.failed)}"
    )
    for watcher in watchers:
        print(
            f"{watcher.name}: opened {watcher.opened} times, ended {dict(watcher.ended)}, "
            f"openings refused {dict(watcher.refused)}"
        )
    print(f"exit codes: { ({slot.name: slot.exit_codes for slot in slots}) }")
    assert load.failed == Counter()
    assert load.succeeded > READS_PER_SECOND * 5
    for watcher in watchers:
        assert watcher.ended, f"{watcher.name} was never ended by a stop"
        assert set(watcher.ended) == {"UNAVAILABLE"}, f"{watcher.name} ended {watcher.ended}"
    assert {slot.name: slot.exit_codes for slot in slots} == {"a": [0], "b": [0]}


async def all_live(watchers: list[Watcher]) -> None:
    """Until every watch is open (again)."""
    async with asyncio.timeout(LIVE_DEADLINE):
        await asyncio.gather(*(watcher.live.wait() for watcher in watchers))
