"""The platform's API conventions hold for every List and Update RPC this service serves (the
kit's contract suite); a new one fails here until it gets a seed recipe below."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.chat.v1 import chat_service_pb2 as api
from knowledge.chat.v1 import conversation_pb2 as pb
from knowledge_kit.testing.api_contract import CONVENTIONS, ApiContract, ListCase, UpdateCase

from ..support import ADA, BOB, Platform
from .conftest import Metadata

if TYPE_CHECKING:
    from knowledge.chat.v1.chat_service_pb2_grpc import ChatServiceAsyncStub

SERVICE = "knowledge.chat.v1.ChatService"


@pytest.fixture
def contract(
    channel: grpc.aio.Channel,
    stub: ChatServiceAsyncStub,
    platform: Platform,
    as_user: Callable[[str], Metadata],
) -> ApiContract:
    """A seed recipe for each List and Update RPC of the service."""
    ada = as_user(ADA)

    async def conversation(title: str, user: str = ADA) -> pb.Conversation:
        request = api.CreateConversationRequest(
            parent=user, conversation=pb.Conversation(title=title)
        )
        return (await stub.CreateConversation(request, metadata=as_user(user))).conversation

    async def list_conversations() -> ListCase:
        for title in ("First", "Second", "Third"):
            await conversation(title)
        await conversation("Bob's", BOB)
        return ListCase(
            api.ListConversationsRequest(parent=ADA),
            ada,
            other_listing=(api.ListConversationsRequest(parent=ADA, archived=True), ada),
        )

    async def list_messages() -> ListCase:
        await platform.handbook_and_finance()
        first, second = await conversation("One"), await conversation("Two")
        for talk in (first, second):
            for question in ("Where is the IT desk?", "Who prints badges?"):
                request = api.StreamAnswerRequest(parent=talk.name, content=question)
                async for _ in stub.StreamAnswer(request, metadata=ada):
                    pass
        return ListCase(
            api.ListMessagesRequest(parent=first.name),
            ada,
            other_listing=(api.ListMessagesRequest(parent=second.name), ada),
        )

    async def update_conversation() -> UpdateCase:
        talk = await conversation("Plan")
        request = api.UpdateConversationRequest(
            conversation=pb.Conversation(name=talk.name, title="Plan B", etag=talk.etag),
            update_mask=FieldMask(paths=["title"]),
        )
        return UpdateCase(request, ada)

    return ApiContract(
        channel,
        lists={
            f"{SERVICE}.ListConversations": list_conversations,
            f"{SERVICE}.ListMessages": list_messages,
        },
        updates={f"{SERVICE}.UpdateConversation": update_conversation},
    )


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_the_platform_api_conventions_hold(contract: ApiContract, convention: str) -> None:
    await contract.check(convention)
