"""What the ms_canvas platform tests run on (this module holds no tests itself).

ms_knowledge in this process on its own PostgreSQL database, trusting the test JWKS endpoint;
ms_canvas as real processes (`python -m ms_canvas`) on a shared PostgreSQL database and the
test Kafka broker; and unmodified yjs + y-websocket collaborators in Node or in headless
Chromium, driven through services/ms_canvas/tests/clients/driver.mjs.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from aiokafka import AIOKafkaConsumer, TopicPartition
from fleet.edge.node_packages import link_node_modules
from fleet.infra.net import free_port
from google.protobuf.message import Message
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2, canvas_service_pb2_grpc
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.knowledge.v1 import space_pb2, space_service_pb2
from knowledge.knowledge.v1.space_service_pb2_grpc import SpaceServiceStub
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from ms_canvas import main as canvas_main
from ms_knowledge import main as knowledge_main
from ms_knowledge.config import Settings as KnowledgeSettings

from .e2e_services import migrated_database

REPO_ROOT = Path(__file__).resolve().parent.parent
CLIENTS = REPO_ROOT / "services" / "ms_canvas" / "tests" / "clients"
OWNER, EDITOR, VIEWER = "users/alice", "users/bob", "users/carol"


@dataclass
class CanvasProcess:
    """One ms_canvas instance as its own OS process."""

    environment: dict[str, str]
    grpc_port: int = field(default_factory=free_port)
    websocket_port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None

    @property
    def websocket_url(self) -> str:
        return f"ws://127.0.0.1:{self.websocket_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    async def start(self) -> None:
        env = {
            **os.environ,
            **self.environment,
            "MS_CANVAS_GRPC_PORT": str(self.grpc_port),
            "MS_CANVAS_WEBSOCKET_PORT": str(self.websocket_port),
        }
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ms_canvas", env=env
        )
        for _ in range(300):
            if self.process.returncode is not None:
                raise RuntimeError(f"ms_canvas exited with {self.process.returncode} on start")
            if await _serving(self.grpc_target) and _accepts(self.websocket_port):
                return
            await asyncio.sleep(0.05)
        raise RuntimeError("ms_canvas did not start serving within 15 seconds")

    async def kill(self) -> None:
        """SIGKILL: no goodbye, no flushing; only what was stored survives."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def _serving(target: str) -> bool:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    async with grpc.aio.insecure_channel(target) as channel:
        try:
            answer = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=0.5
            )
        except grpc.aio.AioRpcError:
            return False
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Collaborators:
    """yjs + y-websocket clients in one Node process (and its Chromium pages)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._answers: dict[int, asyncio.Future[Any]] = {}
        self._seq = 0
        self._reader = asyncio.create_task(self._read())

    async def call(self, client: str, op: str, *args: Any) -> Any:
        self._seq += 1
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._answers[self._seq] = answer
        line = {"seq": self._seq, "client": client, "op": op, "args": list(args)}
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(line).encode() + b"\n")
        await self._process.stdin.drain()
        return await asyncio.wait_for(answer, 30)

    async def open(
        self, client: str, where: str, url: str, canvas: str, token: str, user: str
    ) -> None:
        await self.call(
            client,
            "open",
            {"where": where, "url": url, "canvas": canvas, "token": token, "user": user},
        )

    async def _read(self) -> None:
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            answer = json.loads(line)
            future = self._answers.pop(answer["seq"])
            if "error" in answer:
                future.set_exception(AssertionError(f"collaborator: {answer['error']}"))
            else:
                future.set_result(answer["result"])

    async def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        await self._process.wait()
        self._reader.cancel()


def client_packages() -> None:
    """yjs, y-websocket, ws, esbuild and playwright-core exactly as the lockfile pins them,
    installed once into the user cache and linked next to the driver (which imports them)."""
    link_node_modules(CLIENTS)


@asynccontextmanager
async def collaborators() -> AsyncIterator[Collaborators]:
    await asyncio.to_thread(client_packages)
    process = await asyncio.create_subprocess_exec(
        "node",
        str(CLIENTS / "driver.mjs"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 24,
    )
    driver = Collaborators(process)
    try:
        yield driver
    finally:
        await driver.close()


async def join(
    clients: Collaborators,
    platform: CanvasPlatform,
    url: str,
    *people: tuple[str, str],
    where: str = "node",
) -> None:
    """Open one collaborator per (name, user) on the platform's canvas and wait until each is
    in sync with the service."""
    for name, user in people:
        await clients.open(name, where, url, platform.canvas, platform.token(user), user)
        await clients.call(name, "synced")


@dataclass
class CanvasPlatform:
    """ms_knowledge with a space (alice owner, bob editor, carol viewer) and a canvas in it."""

    mint: Callable[..., str]
    knowledge_target: str
    canvas_environment: dict[str, str]
    canvas: str = ""
    processes: list[CanvasProcess] = field(default_factory=list)

    def token(self, user: str) -> str:
        return self.mint(user, ttl_seconds=600)

    async def start_canvas_service(self) -> CanvasProcess:
        process = CanvasProcess(dict(self.canvas_environment))
        self.processes.append(process)
        await process.start()
        return process

    async def stop_canvas_services(self) -> None:
        for process in self.processes:
            await process.stop()

    def canvas_stub(
        self, process: CanvasProcess
    ) -> tuple[grpc.aio.Channel, canvas_service_pb2_grpc.CanvasServiceAsyncStub]:
        channel = grpc.aio.insecure_channel(process.grpc_target)
        return channel, canvas_service_pb2_grpc.CanvasServiceStub(channel)

    def as_user(self, user: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token(user)}"),)


@asynccontextmanager
async def canvas_platform(
    postgres_url: str, kafka_bootstrap: str, jwks: JwksEndpoint, **canvas_settings: str
) -> AsyncIterator[CanvasPlatform]:
    """A running ms_knowledge with the test space, and ms_canvas's database ready for
    processes started with `start_canvas_service()` (stopped on exit)."""
    async with AsyncExitStack() as stack:
        knowledge_url, knowledge_sessions = await stack.enter_async_context(
            migrated_database(postgres_url, "canvas_knowledge", knowledge_main.MIGRATIONS)
        )
        settings = KnowledgeSettings(
            database_url=knowledge_url,
            kafka_bootstrap=kafka_bootstrap,
            grpc_host="127.0.0.1",
            grpc_port=0,
            auth_jwks_url=jwks.url,
            auth_issuer=jwks.issuer,
            auth_audience=jwks.audience,
            shutdown_grace_seconds=0,
        )
        server = knowledge_main.build_server(
            settings, knowledge_main.knowledge_servicers(settings, knowledge_sessions)
        )
        knowledge_target = f"127.0.0.1:{await server.start()}"
        stack.push_async_callback(server.stop, 0)
        canvas_url, _ = await stack.enter_async_context(
            migrated_database(postgres_url, "canvas", canvas_main.MIGRATIONS)
        )
        environment = {
            "MS_CANVAS_DATABASE_URL": canvas_url,
            "MS_CANVAS_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "MS_CANVAS_GRPC_HOST": "127.0.0.1",
            "MS_CANVAS_WEBSOCKET_HOST": "127.0.0.1",
            "MS_CANVAS_KNOWLEDGE_TARGET": knowledge_target,
            "MS_CANVAS_AUTH_JWKS_URL": jwks.url,
            "MS_CANVAS_AUTH_ISSUER": jwks.issuer,
            "MS_CANVAS_AUTH_AUDIENCE": jwks.audience,
            "MS_CANVAS_SHUTDOWN_GRACE_SECONDS": "0",
            "MS_CANVAS_LOG_LEVEL": "WARNING",
            **{f"MS_CANVAS_{key.upper()}": value for key, value in canvas_settings.items()},
        }
        platform = CanvasPlatform(jwks.mint, knowledge_target, environment)
        stack.push_async_callback(platform.stop_canvas_services)
        space = await _space_with_members(platform)
        platform.canvas = f"{space}/canvases/board"
        yield platform


async def _space_with_members(platform: CanvasPlatform) -> str:
    async with grpc.aio.insecure_channel(platform.knowledge_target) as channel:
        spaces = SpaceServiceStub(channel)
        owner = platform.as_user(OWNER)
        created = await spaces.CreateSpace(
            space_service_pb2.CreateSpaceRequest(
                # Unique, because every test's instances share the canvas.updates.v1 topic.
                space=space_pb2.Space(display_name="Design reviews"),
                space_id=f"design-{uuid.uuid4().hex[:10]}",
            ),
            metadata=owner,
        )
        for user, role in (
            (EDITOR, space_pb2.SPACE_ROLE_EDITOR),
            (VIEWER, space_pb2.SPACE_ROLE_VIEWER),
        ):
            await spaces.InviteSpaceMember(
                space_service_pb2.InviteSpaceMemberRequest(
                    parent=created.space.name, user=user, role=role
                ),
                metadata=owner,
            )
        return str(created.space.name)


async def create_canvas(platform: CanvasPlatform, process: CanvasProcess) -> canvas_pb2.Canvas:
    """The platform's canvas, created by its owner through ms_canvas's gRPC API."""
    space, _, canvas_id = platform.canvas.rpartition("/canvases/")
    channel, canvases = platform.canvas_stub(process)
    async with channel:
        response = await canvases.CreateCanvas(
            canvas_service_pb2.CreateCanvasRequest(
                parent=space, canvas_id=canvas_id, canvas=canvas_pb2.Canvas(title="Roadmap")
            ),
            metadata=platform.as_user(OWNER),
        )
    return response.canvas


async def stored_revision(platform: CanvasPlatform, process: CanvasProcess) -> int:
    """The canvas's revision as stored: how many of its updates the service has acknowledged."""
    channel, canvases = platform.canvas_stub(process)
    async with channel:
        got = await canvases.GetCanvas(
            canvas_service_pb2.GetCanvasRequest(name=platform.canvas),
            metadata=platform.as_user(OWNER),
        )
    return int(got.canvas.revision)


async def acknowledged(platform: CanvasPlatform, process: CanvasProcess, updates: int) -> None:
    """Wait (up to 15 s) until the service has stored at least `updates` updates of the canvas."""
    async with asyncio.timeout(15):
        while (revision := await stored_revision(platform, process)) < updates:  # noqa: ASYNC110
            await asyncio.sleep(0.05 if revision else 0.2)


async def events_about(
    kafka_bootstrap: str,
    topic: str,
    canvas: str,
    kinds: tuple[type[Message], ...],
    *,
    count: int | None = None,
) -> list[Message]:
    """The events of `kinds` about `canvas` on `topic`, from its beginning: the first `count`
    (waiting up to 30 s for them), or, without a count, all the topic holds now."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    by_type = {kind.DESCRIPTOR.full_name: kind for kind in kinds}
    found: list[Message] = []
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = await consumer.end_offsets(partitions)
        async with asyncio.timeout(30):
            while len(found) < count if count is not None else await _short_of(consumer, ends):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        if (record.key or b"").decode() != canvas:
                            continue
                        envelope = EventEnvelope.FromString(record.value or b"")
                        kind = by_type.get(envelope.type)
                        if kind is not None:
                            event = kind()
                            envelope.payload.Unpack(event)
                            found.append(event)
    finally:
        await consumer.stop()
    return found if count is None else found[:count]


async def _short_of(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    """Whether `consumer` has not yet read up to `ends` on some partition."""
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return True
    return False
