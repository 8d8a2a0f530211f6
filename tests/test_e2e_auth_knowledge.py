"""End to end through ms_auth and ms_knowledge on real PostgreSQL and Kafka: two people sign up,
one shares a space with the other as a viewer, edits a document the viewer watches live (over
gRPC-web, as a browser does, through the local edge), and the changes reach Kafka in order, in the
registry's envelope."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from knowledge.auth.v1 import events_pb2 as auth_events
from knowledge.common.v1 import event_envelope_pb2
from knowledge.knowledge.v1 import (
    document_pb2,
    document_service_pb2_grpc,
    space_pb2,
    space_service_pb2_grpc,
)
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import events_pb2 as knowledge_events
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc
from knowledge.topics import AUTH_USERS_V1, KNOWLEDGE_DOCUMENTS_V1, KNOWLEDGE_SPACES_V1

from .e2e_grpc_web import grpc_web_call
from .e2e_services import RunningPlatform, running_platform
from .edge_harness import PASSWORD, bearer, running_edge

Envelope = event_envelope_pb2.EventEnvelope


@pytest_asyncio.fixture
async def platform(postgres_url: str, kafka_bootstrap: str) -> AsyncIterator[RunningPlatform]:
    async with running_platform(postgres_url, kafka_bootstrap) as running:
        yield running


async def sign_up(auth: auth_service_pb2_grpc.AuthServiceAsyncStub, email: str) -> tuple[str, str]:
    """Register, then log in as a person would; the account's name and its access token."""
    registered = await auth.Register(
        auth_service_pb2.RegisterRequest(email=email, password=PASSWORD, display_name=email)
    )
    logged_in = await auth.Login(auth_service_pb2.LoginRequest(email=email, password=PASSWORD))
    assert logged_in.user.name == registered.user.name
    return logged_in.user.name, logged_in.tokens.access_token


async def records_keyed(
    kafka_bootstrap: str, topics: list[str], keys: set[str], count: int
) -> list[tuple[str, str, Envelope, dict[str, bytes]]]:
    """The first `count` records on `topics` whose key is one of `keys`, in partition order."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[tuple[str, str, Envelope, dict[str, bytes]]] = []
    try:
        async with asyncio.timeout(60):
            while len(found) < count:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        key = (record.key or b"").decode()
                        if key in keys:
                            found.append(
                                (
                                    record.topic,
                                    key,
                                    Envelope.FromString(record.value or b""),
                                    dict(record.headers or ()),
                                )
                            )
    finally:
        await consumer.stop()
    return found


def unpacked(envelope: Envelope, message_class: type[Any]) -> Any:
    payload = message_class()
    assert envelope.payload.Unpack(payload), f"{envelope.type} is not {message_class.__name__}"
    return payload


async def test_a_shared_space_seen_live_by_a_viewer_and_announced_on_kafka(
    platform: RunningPlatform, kafka_bootstrap: str
) -> None:
    async with (
        grpc.aio.insecure_channel(platform.auth_target) as auth_channel,
        grpc.aio.insecure_channel(platform.knowledge_target) as knowledge_channel,
    ):
        auth = auth_service_pb2_grpc.AuthServiceStub(auth_channel)
        spaces = space_service_pb2_grpc.SpaceServiceStub(knowledge_channel)
        documents = document_service_pb2_grpc.DocumentServiceStub(knowledge_channel)

        owner, owner_token = await sign_up(auth, "olivia@example.com")
        viewer, viewer_token = await sign_up(auth, "vera@example.com")

        space = (
            await spaces.CreateSpace(
                space_rpc.CreateSpaceRequest(space=space_pb2.Space(display_name="Handbook")),
                metadata=bearer(owner_token),
            )
        ).space
        await spaces.InviteSpaceMember(
            space_rpc.InviteSpaceMemberRequest(
                parent=space.name, user=viewer, role=space_pb2.SPACE_ROLE_VIEWER
            ),
            metadata=bearer(owner_token),
        )
        created = (
            await documents.CreateDocument(
                document_rpc.CreateDocumentRequest(
                    parent=space.name,
                    document=document_pb2.Document(title="Onboarding", content="Welcome"),
                ),
                metadata=bearer(owner_token),
            )
        ).document

        # The viewer watches the way a browser does: gRPC-web through the local edge.
        async with (
            running_edge(grpc_routes={"knowledge.knowledge.v1": platform.knowledge_target}) as edge,
            grpc_web_call(
                edge,
                "/knowledge.knowledge.v1.DocumentService/WatchDocument",
                document_rpc.WatchDocumentRequest(name=created.name),
                token=viewer_token,
            ) as watch,
        ):
            snapshot = await asyncio.wait_for(
                watch.next_message(document_rpc.WatchDocumentResponse), 10
            )
            edited = (
                await documents.UpdateDocument(
                    document_rpc.UpdateDocumentRequest(
                        document=document_pb2.Document(
                            name=created.name, content="Welcome aboard", etag=created.etag
                        ),
                        update_mask=FieldMask(paths=["content"]),
                    ),
                    metadata=bearer(owner_token),
                )
            ).document
            live = await asyncio.wait_for(
                watch.next_message(document_rpc.WatchDocumentResponse), 10
            )

        read_by_viewer = (
            await documents.GetDocument(
                document_rpc.GetDocumentRequest(name=created.name), metadata=bearer(viewer_token)
            )
        ).document
        with pytest.raises(grpc.aio.AioRpcError) as viewer_edit:
            await documents.UpdateDocument(
                document_rpc.UpdateDocumentRequest(
                    document=document_pb2.Document(
                        name=created.name, content="vandalised", etag=edited.etag
                    ),
                    update_mask=FieldMask(paths=["content"]),
                ),
                metadata=bearer(viewer_token),
            )

    assert watch.response.status == 200
    assert snapshot is not None and live is not None
    assert (snapshot.change_type, snapshot.document.content) == (
        document_rpc.DOCUMENT_CHANGE_TYPE_SNAPSHOT,
        "Welcome",
    )
    assert (live.change_type, live.document) == (document_rpc.DOCUMENT_CHANGE_TYPE_UPDATED, edited)
    assert (read_by_viewer.content, read_by_viewer.revision) == ("Welcome aboard", 2)
    assert viewer_edit.value.code() is grpc.StatusCode.PERMISSION_DENIED

    events = await records_keyed(
        kafka_bootstrap,
        [AUTH_USERS_V1.name, KNOWLEDGE_SPACES_V1.name, KNOWLEDGE_DOCUMENTS_V1.name],
        {owner, viewer, space.name, created.name},
        count=6,
    )
    by_topic = {
        topic: [(key, envelope.type) for t, key, envelope, _ in events if t == topic]
        for topic in (AUTH_USERS_V1.name, KNOWLEDGE_SPACES_V1.name, KNOWLEDGE_DOCUMENTS_V1.name)
    }
    assert by_topic == {
        AUTH_USERS_V1.name: [
            (owner, "knowledge.auth.v1.UserRegistered"),
            (viewer, "knowledge.auth.v1.UserRegistered"),
        ],
        KNOWLEDGE_SPACES_V1.name: [
            (space.name, "knowledge.knowledge.v1.SpaceCreated"),
            (space.name, "knowledge.knowledge.v1.SpaceMemberAdded"),
        ],
        KNOWLEDGE_DOCUMENTS_V1.name: [
            (created.name, "knowledge.knowledge.v1.DocumentCreated"),
            (created.name, "knowledge.knowledge.v1.DocumentUpdated"),
        ],
    }
    for topic, key, envelope, headers in events:
        expected_source = "ms_auth" if topic == AUTH_USERS_V1.name else "ms_knowledge"
        assert (envelope.source, envelope.subject) == (expected_source, key)
        assert len(envelope.id) == 36 and envelope.time.seconds > 0
        assert envelope.payload.TypeName() == envelope.type
        assert headers["event-type"] == envelope.type.encode()

    registered = unpacked(events_of(events, owner)[0], auth_events.UserRegistered)
    member_added = unpacked(events_of(events, space.name)[1], knowledge_events.SpaceMemberAdded)
    updated = unpacked(events_of(events, created.name)[1], knowledge_events.DocumentUpdated)
    assert (registered.user, registered.email) == (owner, "olivia@example.com")
    assert (member_added.user, member_added.role, member_added.added_by.name) == (
        viewer,
        space_pb2.SPACE_ROLE_VIEWER,
        owner,
    )
    assert (updated.space, updated.title, updated.content, updated.revision) == (
        space.name,
        "Onboarding",
        "Welcome aboard",
        2,
    )
    assert (updated.previous_revision, updated.author.name) == (1, owner)


def events_of(
    events: list[tuple[str, str, Envelope, dict[str, bytes]]], key: str
) -> list[Envelope]:
    return [envelope for _, k, envelope, _ in events if k == key]
