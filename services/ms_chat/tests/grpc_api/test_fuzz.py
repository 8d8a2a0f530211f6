"""Every RPC of every service this server serves answers hostile requests (bytes that do not
parse, huge and extreme values, NUL characters) with a deliberate status, never UNKNOWN or
INTERNAL, and the service stays SERVING. Methods come from the server's reflection: a new RPC is
fuzzed without a line here (a seed below only helps its cases past the first checks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from knowledge.chat.v1 import chat_service_pb2 as api
from knowledge.chat.v1 import conversation_pb2 as pb
from knowledge_kit.testing.fuzz_server import fuzz_server

from ..support import ADA, Platform
from .conftest import Metadata

if TYPE_CHECKING:
    from knowledge.chat.v1.chat_service_pb2_grpc import ChatServiceAsyncStub

# The whole run stays within about 20 seconds: cases left over are counted, not sent.
BUDGET_SECONDS = 16.0


async def seeds(stub: ChatServiceAsyncStub, ada: Metadata) -> dict[str, dict[str, Message]]:
    """A valid request per method, on a conversation with one answered question."""
    created = await stub.CreateConversation(
        api.CreateConversationRequest(parent=ADA, conversation=pb.Conversation(title="Plan")),
        metadata=ada,
    )
    conversation = created.conversation
    ask = api.StreamAnswerRequest(parent=conversation.name, content="Where is the IT desk?")
    answered = [response async for response in stub.StreamAnswer(ask, metadata=ada)]
    answer = answered[-1].answer.name
    return {
        "ChatService": {
            "CreateConversation": api.CreateConversationRequest(
                parent=ADA, conversation=pb.Conversation(title="Draft", spaces=["spaces/a"])
            ),
            "GetConversation": api.GetConversationRequest(name=conversation.name),
            "ListConversations": api.ListConversationsRequest(parent=ADA, page_size=2),
            "UpdateConversation": api.UpdateConversationRequest(
                conversation=pb.Conversation(
                    name=conversation.name, title="Plan B", etag=conversation.etag
                ),
                update_mask=FieldMask(paths=["title"]),
            ),
            "DeleteConversation": api.DeleteConversationRequest(name=conversation.name),
            "ListMessages": api.ListMessagesRequest(parent=conversation.name, page_size=2),
            "StreamAnswer": api.StreamAnswerRequest(
                parent=conversation.name, resume_answer=answer, after_sequence=1
            ),
            "StopAnswer": api.StopAnswerRequest(name=answer),
            "SetFeedback": api.SetFeedbackRequest(
                name=answer, feedback=pb.Feedback(rating=pb.RATING_UP, comment="good")
            ),
        },
    }


async def test_every_rpc_answers_hostile_requests_with_a_deliberate_status(
    channel: grpc.aio.Channel,
    stub: ChatServiceAsyncStub,
    platform: Platform,
    as_user: Callable[[str], Metadata],
) -> None:
    await platform.handbook_and_finance()
    ada = as_user(ADA)
    by_service = await seeds(stub, ada)
    await fuzz_server(channel, metadata=ada, seeds=by_service, budget_seconds=BUDGET_SECONDS)
