"""ms_canvas with the real ms_knowledge: the roles ms_knowledge keeps decide what callers may do
with a space's canvases, and a space deleted there takes its canvases out of ms_canvas.

(ms_canvas's own tests, in services/ms_canvas/tests, serve ms_knowledge's SpaceService from
members they set; this is the check that the two services agree.)
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

import grpc
import pytest
import pytest_asyncio
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2
from knowledge.canvas.v1.canvas_service_pb2_grpc import CanvasServiceStub
from knowledge.knowledge.v1 import space_pb2, space_service_pb2
from knowledge.knowledge.v1.space_service_pb2_grpc import SpaceServiceStub
from knowledge_kit.runtime import ServiceRuntime
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from ms_canvas import main as canvas_main
from ms_canvas.config import Settings as CanvasSettings
from ms_canvas.repository.canvases import SqlCanvasRepository
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .e2e_services import migrated_database, running_knowledge, trusting

if TYPE_CHECKING:  # the async stubs exist in the type stubs only
    from knowledge.canvas.v1.canvas_service_pb2_grpc import CanvasServiceAsyncStub
    from knowledge.knowledge.v1.space_service_pb2_grpc import SpaceServiceAsyncStub

OWNER, EDITOR, VIEWER, STRANGER = "users/alice", "users/bob", "users/carol", "users/mallory"


class Services:
    """ms_knowledge and ms_canvas on loopback, each on its own PostgreSQL database."""

    def __init__(self, jwks: JwksEndpoint) -> None:
        self.jwks = jwks
        self.spaces: SpaceServiceAsyncStub
        self.canvases: CanvasServiceAsyncStub
        self.canvas_sessions: async_sessionmaker[AsyncSession]

    def as_user(self, user: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.jwks.mint(user, ttl_seconds=600)}"),)


@pytest_asyncio.fixture
async def services(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint
) -> AsyncIterator[Services]:
    running = Services(jwks_endpoint)
    trust = trusting(jwks_endpoint.url, jwks_endpoint.issuer, jwks_endpoint.audience)
    async with AsyncExitStack() as stack:
        knowledge_target = await stack.enter_async_context(
            running_knowledge(postgres_url, kafka_bootstrap, "canvas_knowledge", trust)
        )
        canvas_url, running.canvas_sessions = await stack.enter_async_context(
            migrated_database(postgres_url, "canvas", canvas_main.MIGRATIONS)
        )
        canvas_settings = CanvasSettings(
            database_url=canvas_url,
            kafka_bootstrap=kafka_bootstrap,
            grpc_host="127.0.0.1",
            grpc_port=0,
            websocket_host="127.0.0.1",
            websocket_port=0,
            knowledge_target=knowledge_target,
            relay_updates=False,
            # Its own group: only the events published from now on concern this test.
            kafka_consumer_group=f"ms_canvas-{uuid.uuid4().hex[:8]}",
            **trust,
        )
        canvas = ServiceRuntime(
            canvas_settings, canvas_main.canvas_service_parts, migrations=canvas_main.MIGRATIONS
        )
        await canvas.start()
        stack.push_async_callback(canvas.stop)
        knowledge_channel = grpc.aio.insecure_channel(knowledge_target)
        canvas_channel = grpc.aio.insecure_channel(f"127.0.0.1:{canvas.grpc_port}")
        stack.push_async_callback(knowledge_channel.close)
        stack.push_async_callback(canvas_channel.close)
        running.spaces = SpaceServiceStub(knowledge_channel)
        running.canvases = CanvasServiceStub(canvas_channel)
        yield running


async def space_with_members(services: Services) -> str:
    created = await services.spaces.CreateSpace(
        space_service_pb2.CreateSpaceRequest(space=space_pb2.Space(display_name="Design")),
        metadata=services.as_user(OWNER),
    )
    for user, role in (
        (EDITOR, space_pb2.SPACE_ROLE_EDITOR),
        (VIEWER, space_pb2.SPACE_ROLE_VIEWER),
    ):
        await services.spaces.InviteSpaceMember(
            space_service_pb2.InviteSpaceMemberRequest(
                parent=created.space.name, user=user, role=role
            ),
            metadata=services.as_user(OWNER),
        )
    return str(created.space.name)


async def test_roles_in_ms_knowledge_decide_what_callers_may_do_with_canvases(
    services: Services,
) -> None:
    space = await space_with_members(services)
    created = await services.canvases.CreateCanvas(
        canvas_service_pb2.CreateCanvasRequest(
            parent=space, canvas_id="board", canvas=canvas_pb2.Canvas(title="Roadmap")
        ),
        metadata=services.as_user(EDITOR),
    )
    name = created.canvas.name
    got = await services.canvases.GetCanvas(
        canvas_service_pb2.GetCanvasRequest(name=name), metadata=services.as_user(VIEWER)
    )
    assert got.canvas.creator == EDITOR

    with pytest.raises(grpc.aio.AioRpcError) as viewer_writes:
        await services.canvases.CreateCanvas(
            canvas_service_pb2.CreateCanvasRequest(
                parent=space, canvas=canvas_pb2.Canvas(title="Mine")
            ),
            metadata=services.as_user(VIEWER),
        )
    assert viewer_writes.value.code() is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as stranger_reads:
        await services.canvases.GetCanvas(
            canvas_service_pb2.GetCanvasRequest(name=name), metadata=services.as_user(STRANGER)
        )
    assert stranger_reads.value.code() is grpc.StatusCode.NOT_FOUND


async def test_a_space_deleted_in_ms_knowledge_takes_its_canvases(services: Services) -> None:
    space = await space_with_members(services)
    created = await services.canvases.CreateCanvas(
        canvas_service_pb2.CreateCanvasRequest(
            parent=space, canvas_id="board", canvas=canvas_pb2.Canvas(title="Roadmap")
        ),
        metadata=services.as_user(OWNER),
    )
    await services.spaces.DeleteSpace(
        space_service_pb2.DeleteSpaceRequest(name=space), metadata=services.as_user(OWNER)
    )
    async with asyncio.timeout(30):
        while await stored(services, created.canvas.name):  # noqa: ASYNC110
            await asyncio.sleep(0.2)


async def stored(services: Services, name: str) -> bool:
    async with services.canvas_sessions() as session:
        return await SqlCanvasRepository(session).get(name) is not None
