"""The composition root: settings, database, outbox relay, use cases, servicers and the server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.knowledge.v1 import document_service_pb2_grpc, space_service_pb2_grpc
from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events import Outbox, relaying_outbox
from knowledge_kit.observability import configure_logging, configure_tracing
from knowledge_kit.rpc import ServiceServer, token_verifier
from knowledge_kit.settings import load_settings
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

Registration = tuple[Callable[[Any, Any], None], Any]


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
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> KnowledgeServicers:
    """Use cases over the database at `sessions`, behind their servicers."""
    outbox = Outbox(settings.service_name)
    feed = DocumentChangeFeed(settings.watcher_backlog)

    def unit_of_work() -> SqlKnowledgeUnitOfWork:
        return SqlKnowledgeUnitOfWork(sessions, outbox)

    return KnowledgeServicers(
        spaces=SpaceServicer(SpaceUseCases(unit_of_work, feed), MemberUseCases(unit_of_work, feed)),
        documents=DocumentServicer(
            DocumentUseCases(unit_of_work, feed),
            VersionUseCases(unit_of_work, feed),
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
    listener = KnowledgeEventListener(settings.kafka_bootstrap, servicers.changes_elsewhere)
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


async def serve() -> None:
    """Migrate, then serve gRPC and relay the outbox to Kafka until SIGTERM or SIGINT."""
    settings = load_settings(Settings)
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    configure_tracing(settings.service_name, sample_ratio=settings.trace_sample_ratio)
    await upgrade_database(settings.database_url, MIGRATIONS)
    engine = create_database_engine(settings.database_url)
    sessions = session_factory(engine)
    servicers = knowledge_servicers(settings, sessions)
    try:
        async with (
            relaying_outbox(
                sessions,
                settings.kafka_bootstrap,
                client_id=settings.service_name,
                batch_size=settings.outbox_batch_size,
            ),
            listening_to_other_instances(settings, servicers),
        ):
            await build_server(settings, servicers).serve()
    finally:
        await engine.dispose()
