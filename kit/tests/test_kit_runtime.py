"""The runtime starts a service's parts in order, stops them in reverse, and stops what started
when starting fails; the outbox relay and the event consumer run from the settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import grpc
import pytest
import structlog.testing
from google.protobuf.wrappers_pb2 import StringValue
from grpc_health.v1 import health_pb2
from pydantic_settings import SettingsConfigDict

from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import ConsumedEvent
from knowledge_kit.runtime import ServiceContext, ServiceParts, ServiceRuntime
from knowledge_kit.settings import ServiceSettings, SettingsError

from .echo_service import EchoServicer, add_EchoServicer_to_server
from .events_support import eventually, note_topic

MIGRATIONS = Path(__file__).parent / "sample_migrations"
ECHO = (add_EchoServicer_to_server, EchoServicer())
NewTopic = Callable[..., Awaitable[str]]


class SampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MS_SAMPLE_", frozen=True)


def sample_settings(service_settings: ServiceSettings, database_url: str, **changes: Any) -> Any:
    return SampleSettings(
        **{
            **service_settings.model_dump(),
            "service_name": "ms_sample",
            "database_url": database_url,
            **changes,
        }
    )


async def grpc_state(port: int) -> str:
    """`serving`, or `gone` when nothing answers on the port any more."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        try:
            answer = await check(health_pb2.HealthCheckRequest(), timeout=5)
        except grpc.aio.AioRpcError:
            return "gone"
    return "serving" if answer.status == health_pb2.HealthCheckResponse.SERVING else "not serving"


class Journal(list[str]):
    @asynccontextmanager
    async def lifecycle(self, name: str, *, fails: bool = False) -> AsyncIterator[None]:
        if fails:
            raise RuntimeError(f"cannot start {name}")
        self.append(f"start {name}")
        try:
            yield
        finally:
            self.append(f"stop {name}")


async def test_parts_start_in_order_and_stop_in_reverse_with_grpc_first(
    service_settings: ServiceSettings, sqlite_database_url: str
) -> None:
    journal = Journal()
    runtime: ServiceRuntime[Any]

    async def watch(stop: asyncio.Event) -> None:
        journal.append("background running")
        await stop.wait()
        journal.append(f"background stopped, gRPC {await grpc_state(runtime.grpc_port)}")

    async def parts(context: ServiceContext[Any]) -> ServiceParts:
        journal.append("build")
        return ServiceParts(
            servicers=[ECHO],
            lifecycles=[journal.lifecycle("a"), journal.lifecycle("b")],
            background=[watch],
        )

    settings = sample_settings(service_settings, sqlite_database_url)
    runtime = ServiceRuntime(settings, parts, migrations=MIGRATIONS)
    await runtime.start()
    serving = await grpc_state(runtime.grpc_port)
    await runtime.stop()

    assert serving == "serving"
    assert journal == [
        "build",
        "start a",
        "start b",
        "background running",
        "background stopped, gRPC gone",
        "stop b",
        "stop a",
    ]


async def test_a_failure_at_start_stops_what_had_started(
    service_settings: ServiceSettings, sqlite_database_url: str
) -> None:
    journal = Journal()

    async def parts(context: ServiceContext[Any]) -> ServiceParts:
        return ServiceParts(
            servicers=[ECHO],
            lifecycles=[journal.lifecycle("a"), journal.lifecycle("b", fails=True)],
        )

    runtime = ServiceRuntime(
        sample_settings(service_settings, sqlite_database_url), parts, migrations=MIGRATIONS
    )
    with pytest.raises(RuntimeError, match="cannot start b"):
        await runtime.start()
    assert journal == ["start a", "stop a"]
    assert runtime.grpc_port == 0, "the gRPC server never started"


async def test_a_failing_background_task_stops_the_service_and_is_raised(
    service_settings: ServiceSettings, sqlite_database_url: str
) -> None:
    journal = Journal()

    async def lose_the_database(stop: asyncio.Event) -> None:
        raise ConnectionError("the database went away")

    async def parts(context: ServiceContext[Any]) -> ServiceParts:
        return ServiceParts(
            servicers=[ECHO], lifecycles=[journal.lifecycle("a")], background=[lose_the_database]
        )

    runtime = ServiceRuntime(
        sample_settings(service_settings, sqlite_database_url), parts, migrations=MIGRATIONS
    )
    with pytest.raises(ConnectionError, match="the database went away"):
        async with asyncio.timeout(60):
            await runtime.serve()
    assert journal == ["start a", "stop a"]


async def test_the_outbox_is_relayed_and_the_consumed_topics_are_applied(
    service_settings: ServiceSettings,
    sqlite_database_url: str,
    kafka_bootstrap: str,
    new_kafka_topic: NewTopic,
) -> None:
    topic = note_topic(await new_kafka_topic("notes"))
    applied: list[str] = []
    contexts: list[ServiceContext[Any]] = []

    async def apply(event: ConsumedEvent) -> None:
        applied.append(event.payload.value)

    async def parts(context: ServiceContext[Any]) -> ServiceParts:
        contexts.append(context)
        return ServiceParts(servicers=[ECHO], event_handlers={StringValue: apply})

    settings = sample_settings(
        service_settings,
        sqlite_database_url,
        kafka_bootstrap=kafka_bootstrap,
        produced_topics=(topic.name,),
        consumed_topics=(topic.name,),
        kafka_consumer_group=f"ms_sample-{topic.name}",
    )
    runtime = ServiceRuntime(settings, parts, migrations=MIGRATIONS)
    await runtime.start()
    try:
        [context] = contexts
        async with UnitOfWork(context.sessions) as uow:
            await context.outbox.record(
                uow.session, topic, StringValue(value="relayed"), subject="notes/1"
            )
            with pytest.raises(ValueError, match=r"ms_sample does not produce to notes\.elsewhere"):
                await context.outbox.record(
                    uow.session, note_topic("notes.elsewhere"), StringValue(), subject="notes/2"
                )
            await uow.commit()

        async def arrived() -> bool:
            return applied == ["relayed"]

        await eventually(arrived, "the runtime's consumer applied the relayed event")
    finally:
        await runtime.stop()


async def test_handlers_without_consumed_topics_are_refused_at_start(
    service_settings: ServiceSettings, sqlite_database_url: str
) -> None:
    async def apply(event: ConsumedEvent) -> None:
        raise AssertionError("never called")

    async def parts(context: ServiceContext[Any]) -> ServiceParts:
        return ServiceParts(servicers=[ECHO], event_handlers={StringValue: apply})

    settings = sample_settings(service_settings, sqlite_database_url)
    runtime = ServiceRuntime(settings, parts, migrations=MIGRATIONS)
    with pytest.raises(SettingsError, match="MS_SAMPLE_CONSUMED_TOPICS lists no topic"):
        await runtime.start()


async def test_consumed_topics_without_handlers_are_left_in_kafka_and_said_so(
    service_settings: ServiceSettings, sqlite_database_url: str
) -> None:
    async def parts(context: ServiceContext[Any]) -> ServiceParts:
        return ServiceParts(servicers=[ECHO])

    settings = sample_settings(
        service_settings, sqlite_database_url, consumed_topics=("auth.users.v1",)
    )
    runtime = ServiceRuntime(settings, parts, migrations=MIGRATIONS)
    with structlog.testing.capture_logs() as logs:
        await runtime.start()
        await runtime.stop()
    assert {
        "event": "events_not_consumed",
        "topics": ["auth.users.v1"],
        "reason": "no event handlers",
        "log_level": "warning",
    } in logs
