"""ms_vector with the real ms_knowledge: documents written there become searchable here for the
people who may read them, edits and deletions follow, a removed member stops finding the space,
and ReindexSpace reads a space back from ms_knowledge with the caller's token.

(ms_vector's own tests set memberships and index revisions directly; this is the check that the
two services agree through real Kafka and gRPC.)
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
import pytest_asyncio
from knowledge.knowledge.v1 import (
    document_pb2,
    document_service_pb2,
    space_pb2,
    space_service_pb2,
)
from knowledge.knowledge.v1.document_service_pb2_grpc import DocumentServiceStub
from knowledge.knowledge.v1.space_service_pb2_grpc import SpaceServiceStub
from knowledge.vector.v1 import vector_service_pb2 as vector_api
from knowledge.vector.v1.vector_service_pb2_grpc import VectorServiceStub
from knowledge_kit.database import UnitOfWork
from knowledge_kit.runtime import ServiceRuntime
from knowledge_kit.spaces import SpaceMemberships
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from ms_vector import main as vector_main
from ms_vector.config import Settings as VectorSettings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .e2e_services import migrated_database, running_knowledge, trusting

if TYPE_CHECKING:  # the async stubs exist in the type stubs only
    from knowledge.knowledge.v1.document_service_pb2_grpc import DocumentServiceAsyncStub
    from knowledge.knowledge.v1.space_service_pb2_grpc import SpaceServiceAsyncStub
    from knowledge.vector.v1.vector_service_pb2_grpc import VectorServiceAsyncStub

OWNER, VIEWER = "users/alice", "users/carol"


def unique_word() -> str:
    """A word no other document has (the shared broker holds other tests' documents too)."""
    return "".join(chr(ord("a") + digit % 26) for digit in uuid.uuid4().bytes[:10])


LIMIT_SECONDS = 60


class Services:
    """ms_knowledge and ms_vector on loopback, each on its own PostgreSQL database."""

    def __init__(self, jwks: JwksEndpoint) -> None:
        self.jwks = jwks
        self.spaces: SpaceServiceAsyncStub
        self.documents: DocumentServiceAsyncStub
        self.vector: VectorServiceAsyncStub
        self.vector_sessions: async_sessionmaker[AsyncSession]

    def as_user(self, user: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.jwks.mint(user, ttl_seconds=600)}"),)

    async def found(self, user: str, words: str) -> list[str]:
        """The texts `user` finds for `words` by BM25."""
        answer = await self.vector.SearchChunks(
            vector_api.SearchChunksRequest(
                query=words, mode=vector_api.SEARCH_MODE_LEXICAL, page_size=50
            ),
            metadata=self.as_user(user),
        )
        return [result.chunk.text for result in answer.results]

    async def until(self, condition: Callable[[], Awaitable[bool]], what: str) -> None:
        try:
            async with asyncio.timeout(LIMIT_SECONDS):
                while not await condition():  # noqa: ASYNC110 - another service changes it
                    await asyncio.sleep(0.2)
        except TimeoutError:
            raise AssertionError(f"timed out waiting until {what}") from None


@pytest_asyncio.fixture
async def services(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint, tmp_path: Path
) -> AsyncIterator[Services]:
    running = Services(jwks_endpoint)
    trust = trusting(jwks_endpoint.url, jwks_endpoint.issuer, jwks_endpoint.audience)
    async with AsyncExitStack() as stack:
        knowledge_target = await stack.enter_async_context(
            running_knowledge(postgres_url, kafka_bootstrap, "vector_knowledge", trust)
        )
        vector_url, running.vector_sessions = await stack.enter_async_context(
            migrated_database(postgres_url, "vector", vector_main.MIGRATIONS)
        )
        vector_settings = VectorSettings(
            database_url=vector_url,
            kafka_bootstrap=kafka_bootstrap,
            grpc_host="127.0.0.1",
            grpc_port=0,
            knowledge_target=knowledge_target,
            index_path=tmp_path / "index.npz",
            # Its own group: only the events published from now on concern this test.
            kafka_consumer_group=f"ms_vector-{uuid.uuid4().hex[:8]}",
            **trust,
        )
        vector = ServiceRuntime(
            vector_settings, vector_main.vector_service_parts, migrations=vector_main.MIGRATIONS
        )
        await vector.start()
        stack.push_async_callback(vector.stop)
        knowledge_channel = grpc.aio.insecure_channel(knowledge_target)
        vector_channel = grpc.aio.insecure_channel(f"127.0.0.1:{vector.grpc_port}")
        stack.push_async_callback(knowledge_channel.close)
        stack.push_async_callback(vector_channel.close)
        running.spaces = SpaceServiceStub(knowledge_channel)
        running.documents = DocumentServiceStub(knowledge_channel)
        running.vector = VectorServiceStub(vector_channel)
        yield running


async def space_with_document(services: Services, content: str) -> tuple[str, str]:
    """A space Alice owns with Carol as a viewer, and a document in it."""
    owner = services.as_user(OWNER)
    created = await services.spaces.CreateSpace(
        space_service_pb2.CreateSpaceRequest(space=space_pb2.Space(display_name="Handbook")),
        metadata=owner,
    )
    space = created.space.name
    await services.spaces.InviteSpaceMember(
        space_service_pb2.InviteSpaceMemberRequest(
            parent=space, user=VIEWER, role=space_pb2.SPACE_ROLE_VIEWER
        ),
        metadata=owner,
    )
    document = await services.documents.CreateDocument(
        document_service_pb2.CreateDocumentRequest(
            parent=space,
            document=document_pb2.Document(
                title="Onboarding", content=content, content_type="text/markdown"
            ),
        ),
        metadata=owner,
    )
    return space, document.document.name


async def test_documents_are_searchable_by_their_readers_and_follow_every_change(
    services: Services,
) -> None:
    tag = unique_word()
    space, name = await space_with_document(services, f"Laptops ({tag}) are handed out on Monday.")

    async def carol_finds(word: str) -> bool:
        return any(word in text for text in await services.found(VIEWER, tag))

    await services.until(lambda: carol_finds("Monday"), "the new document is searchable")
    assert await services.found("users/mallory", tag) == []
    current = await services.documents.GetDocument(
        document_service_pb2.GetDocumentRequest(name=name), metadata=services.as_user(OWNER)
    )
    edited = document_pb2.Document(
        name=name,
        content=f"Laptops ({tag}) are handed out on Wednesday.",
        etag=current.document.etag,
    )
    await services.documents.UpdateDocument(
        document_service_pb2.UpdateDocumentRequest(document=edited),
        metadata=services.as_user(OWNER),
    )
    await services.until(lambda: carol_finds("Wednesday"), "the edit is searchable")
    assert not await carol_finds("Monday")
    await services.spaces.RemoveSpaceMember(
        space_service_pb2.RemoveSpaceMemberRequest(
            name=f"{space}/members/{VIEWER.removeprefix('users/')}"
        ),
        metadata=services.as_user(OWNER),
    )

    async def carol_lost_it() -> bool:
        return not await carol_finds("Wednesday")

    await services.until(carol_lost_it, "the removed member no longer finds the space")
    assert await services.found(OWNER, tag)
    await services.documents.DeleteDocument(
        document_service_pb2.DeleteDocumentRequest(name=name), metadata=services.as_user(OWNER)
    )

    async def gone() -> bool:
        return not await services.found(OWNER, tag)

    await services.until(gone, "the deleted document is no longer searchable")


async def test_reindex_space_reads_the_space_back_from_ms_knowledge(services: Services) -> None:
    tag = unique_word()
    text = f"Badges ({tag}) are printed at the front desk."
    space, name = await space_with_document(services, text)
    owner = services.as_user(OWNER)

    async def owner_finds() -> bool:
        return bool(await services.found(OWNER, tag))

    await services.until(owner_finds, "the document is searchable")
    await services.vector.DeleteDocumentIndex(
        vector_api.DeleteDocumentIndexRequest(document=name), metadata=owner
    )
    assert await services.found(OWNER, tag) == []
    started = await services.vector.ReindexSpace(
        vector_api.ReindexSpaceRequest(space=space), metadata=owner
    )
    assert started.operation.state == vector_api.REINDEX_STATE_RUNNING

    async def finished() -> bool:
        answer = await services.vector.GetReindexOperation(
            vector_api.GetReindexOperationRequest(name=started.operation.name), metadata=owner
        )
        return answer.operation.state != vector_api.REINDEX_STATE_RUNNING

    await services.until(finished, "the reindex finished")
    done = await services.vector.GetReindexOperation(
        vector_api.GetReindexOperationRequest(name=started.operation.name), metadata=owner
    )
    operation = done.operation
    assert operation.state == vector_api.REINDEX_STATE_SUCCEEDED, operation.error
    assert (operation.documents_total, operation.documents_indexed) == (1, 1)
    assert await services.found(OWNER, tag) == [text]


async def test_reindex_space_brings_in_a_space_older_than_the_topics_retention(
    services: Services,
) -> None:
    tag = unique_word()
    text = f"Visitors ({tag}) sign in at the reception."
    space, _ = await space_with_document(services, text)

    async def carol_finds() -> bool:
        return bool(await services.found(VIEWER, tag))

    await services.until(carol_finds, "the document is searchable")
    # As if the space's events had expired before this service first read them.
    async with UnitOfWork(services.vector_sessions) as uow:
        await SpaceMemberships(uow.session).remove_space(space)
        await uow.commit()
    assert await services.found(VIEWER, tag) == []
    started = await services.vector.ReindexSpace(
        vector_api.ReindexSpaceRequest(space=space), metadata=services.as_user(OWNER)
    )
    assert started.operation.space == space
    await services.until(carol_finds, "the space's members are read back from ms_knowledge")
    with pytest.raises(grpc.aio.AioRpcError) as stranger:
        await services.vector.ReindexSpace(
            vector_api.ReindexSpaceRequest(space=space), metadata=services.as_user("users/mallory")
        )
    assert stranger.value.code() is grpc.StatusCode.NOT_FOUND
