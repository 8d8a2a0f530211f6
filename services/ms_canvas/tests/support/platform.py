"""ms_canvas processes on a fresh PostgreSQL database and the test Kafka broker, a space in
the SpaceDirectory (alice owner, bob editor, carol viewer), and the canvas the tests edit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

import grpc
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2, canvas_service_pb2_grpc
from knowledge.knowledge.v1 import space_pb2
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.testing.infrastructure import throwaway_database
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint

from ms_canvas.main import MIGRATIONS

from .canvas_process import CanvasProcess
from .collaborators import Collaborators
from .space_directory import SpaceDirectory, serving_space_directory

OWNER, EDITOR, VIEWER = "users/alice", "users/bob", "users/carol"
MEMBERS = {
    OWNER: space_pb2.SPACE_ROLE_OWNER,
    EDITOR: space_pb2.SPACE_ROLE_EDITOR,
    VIEWER: space_pb2.SPACE_ROLE_VIEWER,
}


@dataclass
class CanvasPlatform:
    mint: Callable[..., str]
    directory: SpaceDirectory
    canvas_environment: dict[str, str]
    canvas: str = ""
    processes: list[CanvasProcess] = field(default_factory=list)

    @property
    def space(self) -> str:
        return self.canvas.rpartition("/canvases/")[0]

    @property
    def canvas_id(self) -> str:
        return self.canvas.rpartition("/canvases/")[2]

    def token(self, user: str) -> str:
        return self.mint(user, ttl_seconds=600)

    def as_user(self, user: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token(user)}"),)

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


@asynccontextmanager
async def canvas_platform(
    postgres_url: str, kafka_bootstrap: str, jwks: JwksEndpoint, **canvas_settings: str
) -> AsyncIterator[CanvasPlatform]:
    """The space and ms_canvas's migrated database, ready for processes started with
    `start_canvas_service()` (stopped on exit); `canvas_settings` become MS_CANVAS_* variables."""
    async with AsyncExitStack() as stack:
        directory, directory_target = await stack.enter_async_context(serving_space_directory(jwks))
        database_url = await stack.enter_async_context(throwaway_database(postgres_url, "canvas"))
        # Migrated once here: instances started together would otherwise race to migrate.
        await upgrade_database(database_url, MIGRATIONS)
        environment = {
            "MS_CANVAS_DATABASE_URL": database_url,
            "MS_CANVAS_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "MS_CANVAS_GRPC_HOST": "127.0.0.1",
            "MS_CANVAS_WEBSOCKET_HOST": "127.0.0.1",
            "MS_CANVAS_KNOWLEDGE_TARGET": directory_target,
            "MS_CANVAS_AUTH_JWKS_URL": jwks.url,
            "MS_CANVAS_AUTH_ISSUER": jwks.issuer,
            "MS_CANVAS_AUTH_AUDIENCE": jwks.audience,
            "MS_CANVAS_SHUTDOWN_GRACE_SECONDS": "0",
            "MS_CANVAS_LOG_LEVEL": "WARNING",
            **{f"MS_CANVAS_{key.upper()}": value for key, value in canvas_settings.items()},
        }
        platform = CanvasPlatform(jwks.mint, directory, environment)
        stack.push_async_callback(platform.stop_canvas_services)
        # Unique, because every test's instances share the canvas.updates.v1 topic.
        space = f"spaces/design-{uuid.uuid4().hex[:10]}"
        directory.add_space(space, MEMBERS)
        platform.canvas = f"{space}/canvases/board"
        yield platform


async def create_canvas(platform: CanvasPlatform, process: CanvasProcess) -> canvas_pb2.Canvas:
    """The platform's canvas, created by its owner through ms_canvas's gRPC API."""
    channel, canvases = platform.canvas_stub(process)
    async with channel:
        response = await canvases.CreateCanvas(
            canvas_service_pb2.CreateCanvasRequest(
                parent=platform.space,
                canvas_id=platform.canvas_id,
                canvas=canvas_pb2.Canvas(title="Roadmap"),
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
