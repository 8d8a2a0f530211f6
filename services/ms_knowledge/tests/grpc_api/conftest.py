"""The service over real gRPC on real PostgreSQL, with tokens from a real JWKS endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest_asyncio
from knowledge.knowledge.v1 import document_service_pb2_grpc, space_service_pb2_grpc
from knowledge.knowledge.v1 import space_pb2 as space_api
from knowledge.knowledge.v1 import space_service_pb2 as spaces_api
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_knowledge.config import Settings
from ms_knowledge.main import MIGRATIONS, knowledge_servicers
from ms_knowledge.service.change_feed import DocumentChangeFeed

Metadata = tuple[tuple[str, str], ...]


@dataclass
class KnowledgeApi:
    """Clients of both services, the server's change feed, and tokens for any user."""

    channel: grpc.aio.Channel
    spaces: space_service_pb2_grpc.SpaceServiceAsyncStub
    documents: document_service_pb2_grpc.DocumentServiceAsyncStub
    feed: DocumentChangeFeed
    sessions: async_sessionmaker[AsyncSession]
    mint_token: Callable[..., str]

    def as_user(self, user: str, **token_options: Any) -> Metadata:
        """Call metadata carrying a valid token for `user` (users/{id})."""
        return (("authorization", f"Bearer {self.mint_token(user, **token_options)}"),)

    async def space_with(self, owner: str, **members: space_api.SpaceRole.ValueType) -> str:
        """A new space of `owner` with `members` (id=role) invited; returns its name."""
        created = await self.spaces.CreateSpace(
            spaces_api.CreateSpaceRequest(space=space_api.Space(display_name="Handbook")),
            metadata=self.as_user(owner),
        )
        for user_id, role in members.items():
            await self.spaces.InviteSpaceMember(
                spaces_api.InviteSpaceMemberRequest(
                    parent=created.space.name, user=f"users/{user_id}", role=role
                ),
                metadata=self.as_user(owner),
            )
        return created.space.name


@pytest_asyncio.fixture
async def knowledge_sessions(
    postgres_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh PostgreSQL database migrated to head."""
    await upgrade_database(postgres_database_url, MIGRATIONS)
    engine = create_database_engine(postgres_database_url, traced=False)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def serving(
    start_grpc_server: Callable[..., Awaitable[Any]],
    service_settings: Any,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    mint_token: Callable[..., str],
) -> KnowledgeApi:
    """The service on `database_url`, served until the test ends, and clients of it."""
    settings = Settings(
        **{
            **service_settings.model_dump(),
            "service_name": "ms_knowledge",
            "database_url": database_url,
        }
    )
    servicers = knowledge_servicers(settings, sessions)
    running = await start_grpc_server(*servicers.registrations(), settings=settings)
    channel = grpc.aio.insecure_channel(running.target)
    return KnowledgeApi(
        channel=channel,
        spaces=space_service_pb2_grpc.SpaceServiceStub(channel),
        documents=document_service_pb2_grpc.DocumentServiceStub(channel),
        feed=servicers.feed,
        sessions=sessions,
        mint_token=mint_token,
    )


@pytest_asyncio.fixture
async def api(
    start_grpc_server: Callable[..., Awaitable[Any]],
    service_settings: Any,
    postgres_database_url: str,
    knowledge_sessions: async_sessionmaker[AsyncSession],
    mint_token: Callable[..., str],
) -> AsyncIterator[KnowledgeApi]:
    """The service on PostgreSQL."""
    served = await serving(
        start_grpc_server, service_settings, postgres_database_url, knowledge_sessions, mint_token
    )
    async with served.channel:
        yield served


@pytest_asyncio.fixture
async def api_on_test_database(
    start_grpc_server: Callable[..., Awaitable[Any]],
    service_settings: Any,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    mint_token: Callable[..., str],
) -> AsyncIterator[KnowledgeApi]:
    """The service on the backend KNOWLEDGE_TEST_DATABASE names (SQLite unless postgresql)."""
    served = await serving(start_grpc_server, service_settings, database_url, sessions, mint_token)
    async with served.channel:
        yield served
