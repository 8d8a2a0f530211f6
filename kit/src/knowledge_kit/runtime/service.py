"""The service runtime: what every service's process starts, in order, and stops in reverse.

Start: database migrations (unless a deploy step runs them), engine, the service's parts (built
on them), outbox relay, lifecycles, event consumer, background tasks, WebSockets, gRPC. Stop
(SIGTERM, SIGINT, or a background task failing): the same in reverse, so the gRPC server drains
while everything it uses still runs and the relay publishes what the last requests recorded. A
failure while starting stops what had started, then propagates.
"""

from __future__ import annotations

import asyncio
import gc
import signal
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Generic

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events.consumer import EventConsumer
from knowledge_kit.events.relaying import relaying_outbox
from knowledge_kit.observability.logging import configure_logging
from knowledge_kit.observability.tracing import configure_tracing, otlp_exporter_from_environment
from knowledge_kit.rpc.server import ServiceServer, default_steps
from knowledge_kit.runtime.parts import (
    BackgroundTask,
    PartsBuilder,
    ServiceContext,
    ServiceParts,
    WebSocketEndpoint,
)
from knowledge_kit.settings import ServiceSettings, SettingsError, SettingsT, load_settings
from knowledge_kit.websocket.server import serve_websockets

_log = structlog.get_logger("knowledge_kit.runtime")
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_service(
    settings_class: type[SettingsT],
    parts: PartsBuilder[SettingsT],
    *,
    migrations: Path | None = None,
) -> None:
    """A service's whole process: settings (SettingsError names each bad variable), logging,
    tracing (OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set), then the runtime until a signal."""
    settings = load_settings(settings_class)
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    tracing = configure_tracing(
        settings.service_name,
        sample_ratio=settings.trace_sample_ratio,
        exporter=otlp_exporter_from_environment(),
    )
    try:
        if settings.database_migrations == "only":
            await migrate_only(settings, migrations)
        else:
            await ServiceRuntime(settings, parts, migrations=migrations).serve()
    finally:
        tracing.shutdown()  # exports the spans still batched


async def migrate_only(settings: ServiceSettings, migrations: Path | None) -> None:
    """Apply the service's migrations and return: a deploy step's whole job."""
    if migrations is None:
        raise SettingsError(
            f"{settings.service_name} has no database to migrate: database_migrations=only "
            "needs the migrations passed to the runtime"
        )
    await upgrade_database(settings.database_url, migrations)
    _log.info("database_migrated")


class ServiceRuntime(Generic[SettingsT]):
    """Runs one service in this process: `serve()` until a signal, or `start()` then `stop()`."""

    def __init__(
        self,
        settings: SettingsT,
        parts: PartsBuilder[SettingsT],
        *,
        migrations: Path | None = None,
    ) -> None:
        self.settings = settings
        self._build = parts
        self._migrations = migrations
        self._started = AsyncExitStack()
        self._stop_requested = asyncio.Event()
        self._failures: list[BaseException] = []
        self.grpc_port = 0
        self.websocket_port = 0

    async def start(self) -> None:
        """Start everything, in order; on failure stop what started and raise."""
        try:
            await self._start(self._started)
        except BaseException:
            await self._started.aclose()
            raise
        _log.info("service_started", grpc_port=self.grpc_port)

    async def stop(self) -> None:
        """Stop everything that started, in reverse order."""
        await self._started.aclose()
        _log.info("service_stopped")

    def request_stop(self) -> None:
        """Ask `serve()` to stop (what SIGTERM and SIGINT do)."""
        self._stop_requested.set()

    async def serve(self) -> None:
        """Start, serve until a signal, `request_stop()` or a background task's failure, then
        stop; a failed task's error is raised after the stop (the process exits non-zero)."""
        await self.start()
        # Everything built at start-up lives as long as the process: keep the cyclic garbage
        # collector from re-scanning it on every collection (a visible share of a small RPC).
        gc.freeze()
        loop = asyncio.get_running_loop()
        for signum in _STOP_SIGNALS:
            loop.add_signal_handler(signum, self.request_stop)
        try:
            await self._stop_requested.wait()
        finally:
            for signum in _STOP_SIGNALS:
                loop.remove_signal_handler(signum)
            await self.stop()
        if self._failures:
            raise self._failures[0]

    async def _start(self, started: AsyncExitStack) -> None:
        settings = self.settings
        context = ServiceContext(settings, await self._database(started))
        started.push_async_callback(context.close)
        parts = await self._build(context)
        if settings.produced_topics:
            await started.enter_async_context(
                relaying_outbox(
                    context.sessions,
                    context.kafka,
                    client_id=settings.service_name,
                    batch_size=settings.outbox_batch_size,
                )
            )
        for lifecycle in parts.lifecycles:
            await started.enter_async_context(lifecycle)
        consumer = _event_consumer(context, parts)
        if consumer is not None:
            self._run_in_background(started, consumer.run, "event_consumer")
        for task in parts.background:
            self._run_in_background(started, task, getattr(task, "__name__", repr(task)))
        if parts.websocket is not None:
            await self._serve_websockets(started, parts.websocket, context)
        steps = (
            parts.steps if parts.steps is not None else default_steps(settings, context.verifier)
        )
        server = ServiceServer(settings, steps=steps)
        for register, servicer in parts.servicers:
            server.add_servicer(register, servicer)
        self.grpc_port = await server.start()
        started.push_async_callback(server.stop)

    async def _database(self, started: AsyncExitStack) -> async_sessionmaker[AsyncSession] | None:
        if self._migrations is None:
            return None
        if self.settings.database_migrations == "at_start":
            await upgrade_database(self.settings.database_url, self._migrations)
        engine = create_database_engine(self.settings.database_url)
        started.push_async_callback(engine.dispose)
        return session_factory(engine)

    def _run_in_background(self, started: AsyncExitStack, run: BackgroundTask, name: str) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(run(stop), name=name)
        task.add_done_callback(self._task_ended)

        async def finish() -> None:
            stop.set()
            await asyncio.wait({task})  # a failure was reported when the task ended

        started.push_async_callback(finish)

    def _task_ended(self, task: asyncio.Task[None]) -> None:
        failure = None if task.cancelled() else task.exception()
        if failure is None:
            return
        _log.error("service_task_failed", task=task.get_name(), exc_info=failure)
        self._failures.append(failure)
        self.request_stop()

    async def _serve_websockets(
        self,
        started: AsyncExitStack,
        endpoint: WebSocketEndpoint,
        context: ServiceContext[SettingsT],
    ) -> None:
        sockets = await serve_websockets(
            endpoint.handler,
            context.verifier,
            host=endpoint.host,
            port=endpoint.port,
            max_message_bytes=endpoint.max_message_bytes,
            per_message_deflate=endpoint.per_message_deflate,
            ping_interval_seconds=endpoint.ping_interval_seconds,
        )
        self.websocket_port = int(next(iter(sockets.sockets)).getsockname()[1])

        async def close() -> None:
            sockets.close()
            await sockets.wait_closed()

        started.push_async_callback(close)


def _event_consumer(
    context: ServiceContext[SettingsT], parts: ServiceParts
) -> EventConsumer | None:
    """The consumer of the service's `consumed_topics`, applying its event handlers."""
    settings = context.settings
    variable = f"{settings.model_config.get('env_prefix') or ''}CONSUMED_TOPICS"
    topics, handlers = settings.consumed_topics, parts.event_handlers
    if not handlers:
        if topics:
            # Consuming without handlers would skip the events and commit past them; until the
            # service handles them, they wait in Kafka.
            _log.warning("events_not_consumed", topics=list(topics), reason="no event handlers")
        return None
    if not topics:
        raise SettingsError(
            f"{settings.service_name} handles events but {variable} lists no topic to read them from"
        )
    return EventConsumer(
        service=settings.service_name,
        bootstrap=context.kafka,
        topics=topics,
        sessions=context.sessions,
        handlers=handlers,
        group_id=settings.kafka_consumer_group,
        dead_letter=settings.kafka_dead_letter_topic,
    )
