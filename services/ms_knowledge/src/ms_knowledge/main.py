"""The composition root: the use cases and servicers on the database, wired once; the kit's
runtime migrates, relays the outbox, serves and stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from knowledge.knowledge.v1 import document_service_pb2_grpc, space_service_pb2_grpc
from knowledge_kit.api import PageTokens
from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.events import KafkaConnection, Outbox
from knowledge_kit.rpc import ServiceServer, token_verifier
from knowledge_kit.runtime import Registration, ServiceContext, ServiceParts, run_service
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .config import Settings
from .repository.unit_of_work import SqlKnowledgeUnitOfWork
from .server.documents import DocumentServicer
from .server.event_listener import KnowledgeEventListener
from .server.spaces import SpaceServicer
from .service.change_feed import DocumentChangeFeed
from .service.changes_elsewhere import ChangesElsewhere
from .service.documents import DocumentUseCases
from .service.members import MemberUseCases
from .service.spaces import SpaceUseCases
from .service.versions import VersionUseCases
from .service.watch import WatchUseCases

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class KnowledgeServicers:
    """The service's servicers, wired to one database and one change feed."""

    spaces: SpaceServicer
    documents: DocumentServicer
    feed: DocumentChangeFeed
    changes_elsewhere: ChangesElsewhere

    def registrations(self) -> list[Registration]:
        """`(add_*Servicer_to_server, servicer)` pairs for a ServiceServer."""
        return [
            (space_service_pb2_grpc.add_SpaceServiceServicer_to_server, self.spaces),
            (document_service_pb2_grpc.add_DocumentServiceServicer_to_server, self.documents),
        ]


def knowledge_servicers(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], outbox: Outbox | None = None
) -> KnowledgeServicers:
    """Use cases over the database at `sessions`, behind their servicers; events go to `outbox`
    (the runtime's, limited to the produced topics; by default one open to any topic)."""
    outbox = outbox or Outbox(settings.service_name)
    feed = DocumentChangeFeed(settings.watcher_backlog)
    pages = PageTokens.for_service(settings)

    def unit_of_work() -> SqlKnowledgeUnitOfWork:
        return SqlKnowledgeUnitOfWork(sessions, outbox)

    return KnowledgeServicers(
        spaces=SpaceServicer(
            SpaceUseCases(unit_of_work, feed, pages=pages),
            MemberUseCases(unit_of_work, feed, pages=pages),
        ),
        documents=DocumentServicer(
            DocumentUseCases(unit_of_work, feed, pages=pages),
            VersionUseCases(unit_of_work, feed, pages=pages),
            WatchUseCases(unit_of_work, feed),
        ),
        feed=feed,
        changes_elsewhere=ChangesElsewhere(unit_of_work, feed),
    )


def build_server(
    settings: Settings,
    servicers: KnowledgeServicers,
    verifier: TokenVerifier | None = None,
) -> ServiceServer:
    """The gRPC server with both servicers registered (health and reflection come with it)."""
    server = ServiceServer(settings, verifier=verifier or token_verifier(settings))
    for register, servicer in servicers.registrations():
        server.add_servicer(register, servicer)
    return server


@asynccontextmanager
async def listening_to_other_instances(
    settings: Settings, servicers: KnowledgeServicers
) -> AsyncIterator[KnowledgeEventListener]:
    """Pass changes other instances commit to this instance's watchers while the block runs."""
    listener = KnowledgeEventListener(KafkaConnection.of(settings), servicers.changes_elsewhere)
    stop = asyncio.Event()
    listening = asyncio.create_task(listener.run(stop))
    try:
        ready = asyncio.create_task(listener.ready.wait())
        await asyncio.wait({ready, listening}, return_when=asyncio.FIRST_COMPLETED)
        if listening.done():
            ready.cancel()
            listening.result()  # the listener could not start: say why
        yield listener
    finally:
        stop.set()
        await listening


async def knowledge_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """The servicers, and the listener passing other instances' changes to this one's watchers."""
    servicers = knowledge_servicers(context.settings, context.sessions, context.outbox)
    return ServiceParts(
        servicers=servicers.registrations(),
        lifecycles=[listening_to_other_instances(context.settings, servicers)],
    )


async def serve() -> None:
    """Migrate, then serve gRPC and relay the outbox to Kafka until SIGTERM or SIGINT."""
    await run_service(Settings, knowledge_parts, migrations=MIGRATIONS)
