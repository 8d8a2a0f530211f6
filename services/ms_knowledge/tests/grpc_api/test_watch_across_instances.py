"""Watchers see changes committed through any instance of the service, not only their own."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.knowledge.v1 import document_pb2, document_service_pb2_grpc, space_service_pb2_grpc
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import space_pb2 as space_api
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc
from knowledge.topics import KNOWLEDGE_DOCUMENTS_V1, KNOWLEDGE_SPACES_V1
from knowledge_kit.events import relaying_outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_knowledge.config import Settings
from ms_knowledge.main import knowledge_servicers, listening_to_other_instances

OWNER, VIEWER = "users/olivia", "users/vera"


@dataclass
class Instance:
    spaces: space_service_pb2_grpc.SpaceServiceAsyncStub
    documents: document_service_pb2_grpc.DocumentServiceAsyncStub


async def ensure_topics(bootstrap: str) -> None:
    """The service's topics exist before anyone listens (Strimzi creates them in a cluster)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for topic in (KNOWLEDGE_DOCUMENTS_V1, KNOWLEDGE_SPACES_V1):
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(topic.name, 1, 1)])
    finally:
        await admin.close()


@pytest_asyncio.fixture
async def instances(
    start_grpc_server: Callable[..., Awaitable[Any]],
    service_settings: Any,
    postgres_database_url: str,
    knowledge_sessions: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
) -> AsyncIterator[tuple[Instance, Instance]]:
    """Two instances on one database and one Kafka, each with its own watchers and relay."""
    await ensure_topics(kafka_bootstrap)
    settings = Settings(
        **{
            **service_settings.model_dump(),
            "service_name": "ms_knowledge",
            "database_url": postgres_database_url,
            "kafka_bootstrap": kafka_bootstrap,
        }
    )
    async with AsyncExitStack() as stack:
        running: list[Instance] = []
        for _ in range(2):
            servicers = knowledge_servicers(settings, knowledge_sessions)
            await stack.enter_async_context(
                relaying_outbox(
                    knowledge_sessions, kafka_bootstrap, client_id=settings.service_name
                )
            )
            await stack.enter_async_context(listening_to_other_instances(settings, servicers))
            server = await start_grpc_server(*servicers.registrations(), settings=settings)
            channel = await stack.enter_async_context(grpc.aio.insecure_channel(server.target))
            running.append(
                Instance(
                    space_service_pb2_grpc.SpaceServiceStub(channel),
                    document_service_pb2_grpc.DocumentServiceStub(channel),
                )
            )
        yield running[0], running[1]


async def next_change(stream: Any) -> Any:
    message = await asyncio.wait_for(stream.read(), 30)
    assert message is not grpc.aio.EOF, "the watch ended"
    return message


async def test_an_edit_through_one_instance_reaches_watchers_of_the_other(
    instances: tuple[Instance, Instance], mint_token: Callable[..., str]
) -> None:
    watched, edited_through = instances
    owner = (("authorization", f"Bearer {mint_token(OWNER)}"),)
    viewer = (("authorization", f"Bearer {mint_token(VIEWER)}"),)
    space = (
        await edited_through.spaces.CreateSpace(
            space_rpc.CreateSpaceRequest(space=space_api.Space(display_name="Shared")),
            metadata=owner,
        )
    ).space.name
    await edited_through.spaces.InviteSpaceMember(
        space_rpc.InviteSpaceMemberRequest(
            parent=space, user=VIEWER, role=space_api.SPACE_ROLE_VIEWER
        ),
        metadata=owner,
    )
    space_watch = watched.documents.WatchSpace(
        document_rpc.WatchSpaceRequest(name=space), metadata=viewer
    )
    await asyncio.wait_for(space_watch.initial_metadata(), 10)

    created = (
        await edited_through.documents.CreateDocument(
            document_rpc.CreateDocumentRequest(
                parent=space, document=document_pb2.Document(title="Plan", content="v1")
            ),
            metadata=owner,
        )
    ).document
    appeared = await next_change(space_watch)
    document_watch = watched.documents.WatchDocument(
        document_rpc.WatchDocumentRequest(name=created.name), metadata=viewer
    )
    await next_change(document_watch)  # the snapshot
    edited = (
        await edited_through.documents.UpdateDocument(
            document_rpc.UpdateDocumentRequest(
                document=document_pb2.Document(name=created.name, content="v2", etag=created.etag),
                update_mask=FieldMask(paths=["content"]),
            ),
            metadata=owner,
        )
    ).document
    seen_edit = await next_change(document_watch)
    listed_edit = await next_change(space_watch)
    await edited_through.spaces.RemoveSpaceMember(
        space_rpc.RemoveSpaceMemberRequest(name=f"{space}/members/vera"), metadata=owner
    )

    assert (appeared.change_type, appeared.document.name) == (
        document_rpc.DOCUMENT_CHANGE_TYPE_CREATED,
        created.name,
    )
    assert (seen_edit.change_type, seen_edit.document) == (
        document_rpc.DOCUMENT_CHANGE_TYPE_UPDATED,
        edited,
    )
    assert (listed_edit.change_type, listed_edit.document.revision) == (
        document_rpc.DOCUMENT_CHANGE_TYPE_UPDATED,
        2,
    )
    with pytest.raises(grpc.aio.AioRpcError) as cut_off:
        await asyncio.wait_for(document_watch.read(), 30)
    assert cut_off.value.code() is grpc.StatusCode.NOT_FOUND
