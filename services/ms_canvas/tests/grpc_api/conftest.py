"""CanvasService in this process over real gRPC, on the test database, asking a SpaceService
on loopback who belongs to which space; tokens from a real JWKS endpoint."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest_asyncio
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2, canvas_service_pb2_grpc
from knowledge.canvas.v1.canvas_service_pb2_grpc import add_CanvasServiceServicer_to_server
from knowledge.knowledge.v1 import space_pb2
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_canvas.config import Settings
from ms_canvas.main import canvas_parts
from ms_canvas.repository.space_roles import KnowledgeSpaceRoles

from ..support.space_directory import SpaceDirectory, serving_space_directory

Metadata = tuple[tuple[str, str], ...]


@dataclass
class RunningCanvas:
    """A client of the service, the spaces it asks about, and tokens for any user."""

    channel: grpc.aio.Channel
    canvases: canvas_service_pb2_grpc.CanvasServiceAsyncStub
    directory: SpaceDirectory
    jwks: JwksEndpoint

    def as_user(self, user: str) -> Metadata:
        return (("authorization", f"Bearer {self.jwks.mint(user, ttl_seconds=600)}"),)

    def space_of(self, owner: str) -> str:
        """A new space with `owner` as its owner."""
        space = f"spaces/s{uuid.uuid4().hex[:12]}"
        self.directory.add_space(space, {owner: space_pb2.SPACE_ROLE_OWNER})
        return space

    async def create(self, space: str, owner: str) -> canvas_pb2.Canvas:
        response = await self.canvases.CreateCanvas(
            canvas_service_pb2.CreateCanvasRequest(
                parent=space, canvas=canvas_pb2.Canvas(title="Board")
            ),
            metadata=self.as_user(owner),
        )
        return response.canvas


@pytest_asyncio.fixture
async def running(
    start_grpc_server: Callable[..., Awaitable[Any]],
    service_settings: Any,
    sessions: async_sessionmaker[AsyncSession],
    jwks_endpoint: JwksEndpoint,
) -> AsyncIterator[RunningCanvas]:
    async with serving_space_directory(jwks_endpoint) as (directory, directory_target):
        settings = Settings(
            **{**service_settings.model_dump(), "service_name": "ms_canvas"},
            knowledge_target=directory_target,
        )
        channels = ServiceChannels()
        roles = KnowledgeSpaceRoles(channels.channel(directory_target))
        parts = canvas_parts(settings, sessions, roles)
        server = await start_grpc_server(
            (add_CanvasServiceServicer_to_server, parts.servicer), settings=settings
        )
        try:
            async with grpc.aio.insecure_channel(server.target) as channel:
                yield RunningCanvas(
                    channel,
                    canvas_service_pb2_grpc.CanvasServiceStub(channel),
                    directory,
                    jwks_endpoint,
                )
        finally:
            await channels.close()
