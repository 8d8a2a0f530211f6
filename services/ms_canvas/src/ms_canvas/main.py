"""The composition root: the use cases, rooms and servers on the database and ms_knowledge,
wired once; the kit's runtime migrates, relays the outbox, consumes, serves and stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from knowledge.canvas.v1.canvas_service_pb2_grpc import add_CanvasServiceServicer_to_server
from knowledge_kit.api import PageTokens, utc_now
from knowledge_kit.events import KafkaConnection, Outbox
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.runtime import (
    BackgroundTask,
    ServiceContext,
    ServiceParts,
    WebSocketEndpoint,
    run_service,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .config import Settings
from .domain.ports import SpaceRoles
from .repository.canvases import SqlCanvasRepository
from .repository.space_roles import LIST_MEMBERS, KnowledgeSpaceRoles
from .repository.unit_of_work import SqlCanvasUnitOfWork
from .repository.update_appender import SqlUpdateAppender
from .repository.update_relay import UpdateRelay
from .server.canvas_socket import CanvasSocket
from .server.canvases import CanvasServicer
from .server.space_events import space_event_handlers
from .server.yjs.wire import YWebsocketWire
from .service.access import CanvasAccessCheck
from .service.canvases import CanvasUseCases
from .service.instances import InstanceRelay
from .service.live import LiveCanvases
from .service.rooms import CanvasRooms
from .service.summaries import ChangeSummaries

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class CanvasParts:
    """Everything one instance runs, wired to one database and one view of ms_knowledge."""

    appender: SqlUpdateAppender
    rooms: CanvasRooms
    summaries: ChangeSummaries
    servicer: CanvasServicer
    socket: CanvasSocket


def canvas_parts(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    space_roles: SpaceRoles,
    outbox: Outbox | None = None,
) -> CanvasParts:
    """Use cases over the database at `sessions`, behind the gRPC servicer and the WebSocket;
    events go to `outbox` (the runtime's, limited to the produced topics; by default any)."""
    outbox = outbox or Outbox(settings.service_name)

    def unit_of_work() -> SqlCanvasUnitOfWork:
        return SqlCanvasUnitOfWork(sessions, outbox)

    summaries = ChangeSummaries(
        unit_of_work, debounce_seconds=settings.canvas_changed_debounce_seconds
    )
    appender = SqlUpdateAppender(_engine_of(sessions))
    rooms = CanvasRooms(
        unit_of_work,
        appender,
        summaries,
        YWebsocketWire(),
        compact_after_updates=settings.compact_after_updates,
        batch_seconds=settings.update_batch_seconds,
    )
    access = CanvasAccessCheck(unit_of_work, space_roles)
    canvases = CanvasUseCases(
        unit_of_work, access, rooms, pages=PageTokens.for_service(settings), clock=utc_now
    )
    live = LiveCanvases(access, rooms)
    return CanvasParts(
        appender=appender,
        rooms=rooms,
        summaries=summaries,
        servicer=CanvasServicer(canvases, live),
        socket=CanvasSocket(live, max_buffered_bytes=settings.websocket_send_buffer_bytes),
    )


@asynccontextmanager
async def collaborating(
    parts: CanvasParts, relay: UpdateRelay | None, channels: ServiceChannels
) -> AsyncIterator[None]:
    """The relay between instances connected while the block runs; once the update journal
    has drained, the pending CanvasChanged summaries are recorded and everything is closed."""
    instances = parts.rooms.instances
    if relay is not None:
        await relay.start()
    try:
        yield
    finally:
        await parts.summaries.flush()
        await parts.appender.close()
        if instances is not None:
            await instances.close()
        await channels.close()


def background_tasks(parts: CanvasParts, relay: UpdateRelay | None) -> list[BackgroundTask]:
    """The update journal's writer, and with a relay its reader and the holding heartbeats."""
    tasks: list[BackgroundTask] = [parts.rooms.journal.run]
    instances = parts.rooms.instances
    if relay is not None and instances is not None:

        async def relay_updates(stop: asyncio.Event) -> None:
            await relay.run(stop, apply=parts.rooms.apply_relayed, held=instances.held)

        tasks += [relay_updates, instances.run]
    return tasks


async def canvas_service_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """The servicer, the collaboration WebSocket, the relay between instances and the
    knowledge.spaces.v1 handlers."""
    settings = context.settings
    channels = ServiceChannels()
    space_roles = KnowledgeSpaceRoles(
        channels.channel(settings.knowledge_target, idempotent_methods=[LIST_MEMBERS])
    )
    parts = canvas_parts(settings, context.sessions, space_roles, context.outbox)
    relay = relay_between_instances(settings, context.kafka, parts)
    return ServiceParts(
        servicers=[(add_CanvasServiceServicer_to_server, parts.servicer)],
        event_handlers=space_event_handlers(SqlCanvasRepository),
        websocket=WebSocketEndpoint(
            parts.socket,
            settings.websocket_host,
            settings.websocket_port,
            max_message_bytes=settings.websocket_max_message_bytes,
            ping_interval_seconds=settings.websocket_ping_interval_seconds,
        ),
        background=background_tasks(parts, relay),
        lifecycles=[collaborating(parts, relay, channels)],
    )


def relay_between_instances(
    settings: Settings, kafka: KafkaConnection, parts: CanvasParts
) -> UpdateRelay | None:
    """The relay through canvas.updates.v1, wired into the rooms (None: one instance only)."""
    if not settings.relay_updates:
        return None
    relay = UpdateRelay(kafka=kafka, source=settings.service_name)
    parts.rooms.instances = InstanceRelay(relay, parts.rooms.room_of, parts.rooms.loaded)
    return relay


async def serve() -> None:
    """Migrate, then serve gRPC and WebSockets until SIGTERM or SIGINT."""
    await run_service(Settings, canvas_service_parts, migrations=MIGRATIONS)


def _engine_of(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    # The update journal writes over one connection of its own, from the sessions' pool.
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine):
        raise TypeError("canvas sessions must be bound to an AsyncEngine")
    return engine
