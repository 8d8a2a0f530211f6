"""The composition root: settings, database, ms_knowledge channel, rooms, servers, wired once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from knowledge.canvas.v1.canvas_service_pb2_grpc import add_CanvasServiceServicer_to_server
from knowledge.knowledge.v1.events_pb2 import SpaceDeleted
from knowledge.topics import KNOWLEDGE_SPACES_V1
from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events import EventConsumer, Outbox, relaying_outbox
from knowledge_kit.observability import configure_logging, configure_tracing
from knowledge_kit.rpc import ServiceServer, token_verifier
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.settings import load_settings
from knowledge_kit.websocket import serve_websockets
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .collaboration.instances import InstanceRelay
from .collaboration.relay import UpdateRelay
from .collaboration.rooms import CanvasRooms
from .collaboration.summaries import ChangeSummaries
from .config import Settings
from .domain.ports import SpaceRoles
from .repository.space_roles import LIST_MEMBERS, KnowledgeSpaceRoles
from .repository.unit_of_work import SqlCanvasUnitOfWork
from .repository.update_appender import SqlUpdateAppender
from .server.canvas_socket import CanvasSocket
from .server.canvases import CanvasServicer
from .service.canvases import CanvasUseCases
from .service.space_events import remove_canvases_of_deleted_space

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class CanvasParts:
    """Everything one instance runs, wired to one database and one view of ms_knowledge."""

    use_cases: CanvasUseCases
    appender: SqlUpdateAppender
    rooms: CanvasRooms
    summaries: ChangeSummaries
    servicer: CanvasServicer
    socket: CanvasSocket


def canvas_parts(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    space_roles: SpaceRoles,
) -> CanvasParts:
    outbox = Outbox(settings.service_name)

    def unit_of_work() -> SqlCanvasUnitOfWork:
        return SqlCanvasUnitOfWork(sessions, outbox)

    summaries = ChangeSummaries(
        unit_of_work, debounce_seconds=settings.canvas_changed_debounce_seconds
    )
    appender = SqlUpdateAppender(engine)
    rooms = CanvasRooms(
        unit_of_work,
        appender,
        summaries,
        compact_after_updates=settings.compact_after_updates,
        batch_seconds=settings.update_batch_seconds,
    )
    use_cases = CanvasUseCases(unit_of_work, space_roles)
    return CanvasParts(
        use_cases=use_cases,
        appender=appender,
        rooms=rooms,
        summaries=summaries,
        servicer=CanvasServicer(use_cases, rooms),
        socket=CanvasSocket(
            use_cases, rooms, max_buffered_bytes=settings.websocket_send_buffer_bytes
        ),
    )


def build_server(
    settings: Settings, parts: CanvasParts, verifier: TokenVerifier | None = None
) -> ServiceServer:
    """The gRPC server with CanvasService registered (health and reflection come with it)."""
    server = ServiceServer(settings, verifier=verifier or token_verifier(settings))
    server.add_servicer(add_CanvasServiceServicer_to_server, parts.servicer)
    return server


@contextlib.asynccontextmanager
async def collaborating(
    settings: Settings,
    parts: CanvasParts,
    sessions: async_sessionmaker[AsyncSession],
    verifier: TokenVerifier,
) -> AsyncIterator[int]:
    """The WebSocket server, the update journal, the relay between instances, the outbox
    relay and the knowledge.spaces.v1 consumer, running; yields the WebSocket port."""
    async with relaying_outbox(
        sessions,
        settings.kafka_bootstrap,
        client_id=settings.service_name,
        batch_size=settings.outbox_batch_size,
    ):
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = [asyncio.create_task(parts.rooms.journal.run(stop))]
        instances: InstanceRelay | None = None
        if settings.relay_updates:
            relay = UpdateRelay(bootstrap=settings.kafka_bootstrap, source=settings.service_name)
            await relay.start()
            instances = InstanceRelay(relay, parts.rooms.room_of, parts.rooms.loaded)
            parts.rooms.instances = instances
            tasks.append(
                asyncio.create_task(
                    relay.run(stop, apply=parts.rooms.apply_relayed, held=instances.held)
                )
            )
            tasks.append(asyncio.create_task(instances.run(stop)))
        consumer = EventConsumer(
            service=settings.service_name,
            bootstrap=settings.kafka_bootstrap,
            topics=[KNOWLEDGE_SPACES_V1],
            sessions=sessions,
            handlers={SpaceDeleted: remove_canvases_of_deleted_space},
        )
        tasks.append(asyncio.create_task(consumer.run(stop)))
        sockets = await serve_websockets(
            parts.socket,
            verifier,
            host=settings.websocket_host,
            port=settings.websocket_port,
            ping_interval_seconds=settings.websocket_ping_interval_seconds,
            max_message_bytes=settings.websocket_max_message_bytes,
        )
        try:
            yield sockets.sockets[0].getsockname()[1]
        finally:
            sockets.close()
            await sockets.wait_closed()
            await parts.rooms.journal.drained()
            await parts.summaries.flush()
            stop.set()
            await asyncio.gather(*tasks)
            await parts.appender.close()
            if instances is not None:
                await instances.close()


async def serve() -> None:
    """Migrate, then serve gRPC and WebSockets until SIGTERM or SIGINT."""
    settings = load_settings(Settings)
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    configure_tracing(settings.service_name, sample_ratio=settings.trace_sample_ratio)
    await upgrade_database(settings.database_url, MIGRATIONS)
    engine = create_database_engine(settings.database_url)
    sessions = session_factory(engine)
    channels = ServiceChannels()
    space_roles = KnowledgeSpaceRoles(
        channels.channel(settings.knowledge_target, idempotent_methods=[LIST_MEMBERS])
    )
    parts = canvas_parts(settings, engine, sessions, space_roles)
    verifier = token_verifier(settings)
    try:
        async with collaborating(settings, parts, sessions, verifier):
            await build_server(settings, parts, verifier).serve()
    finally:
        await channels.close()
        await engine.dispose()
