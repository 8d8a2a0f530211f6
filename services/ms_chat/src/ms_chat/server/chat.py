"""knowledge.chat.v1.ChatService on the conversation and answering use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from knowledge.chat.v1 import chat_service_pb2 as api
from knowledge.chat.v1 import chat_service_pb2_grpc
from knowledge_kit.api import caller, caller_name, update_paths

from ..domain.conversations import UPDATABLE_FIELDS, ConversationChanges
from ..proto_messages import conversation_message, message_message, stream_response
from ..service.answering import Answering, StreamRequest
from ..service.conversations import Conversations

Context = grpc.aio.ServicerContext[Any, Any]


class ChatServicer(chat_service_pb2_grpc.ChatServiceServicer):
    """Maps each RPC to one use case; the use cases check whose conversation it is."""

    def __init__(self, conversations: Conversations, answering: Answering) -> None:
        self._conversations = conversations
        self._answering = answering

    async def CreateConversation(
        self, request: api.CreateConversationRequest, context: Context
    ) -> api.CreateConversationResponse:
        conversation = await self._conversations.create(
            caller_name(),
            request.parent,
            request.conversation.title,
            tuple(request.conversation.spaces),
        )
        return api.CreateConversationResponse(conversation=conversation_message(conversation))

    async def GetConversation(
        self, request: api.GetConversationRequest, context: Context
    ) -> api.GetConversationResponse:
        conversation = await self._conversations.get(caller_name(), request.name)
        return api.GetConversationResponse(conversation=conversation_message(conversation))

    async def ListConversations(
        self, request: api.ListConversationsRequest, context: Context
    ) -> api.ListConversationsResponse:
        page = await self._conversations.list(
            caller_name(),
            request.parent,
            archived=request.archived,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return api.ListConversationsResponse(
            conversations=[conversation_message(item) for item in page.items],
            next_page_token=page.next_page_token,
        )

    async def UpdateConversation(
        self, request: api.UpdateConversationRequest, context: Context
    ) -> api.UpdateConversationResponse:
        sent = request.conversation
        changes = ConversationChanges(
            paths=update_paths(request.update_mask, sent, UPDATABLE_FIELDS),
            title=sent.title,
            spaces=tuple(sent.spaces),
            archived=sent.archived,
            current_message=sent.current_message,
        )
        conversation = await self._conversations.update(
            caller_name(), sent.name, changes, etag=sent.etag
        )
        return api.UpdateConversationResponse(conversation=conversation_message(conversation))

    async def DeleteConversation(
        self, request: api.DeleteConversationRequest, context: Context
    ) -> api.DeleteConversationResponse:
        await self._conversations.delete(caller_name(), request.name)
        return api.DeleteConversationResponse()

    async def ListMessages(
        self, request: api.ListMessagesRequest, context: Context
    ) -> api.ListMessagesResponse:
        page = await self._conversations.messages(
            caller_name(),
            request.parent,
            all_branches=request.all_branches,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return api.ListMessagesResponse(
            messages=[message_message(message) for message in page.items],
            next_page_token=page.next_page_token,
        )

    async def StreamAnswer(
        self, request: api.StreamAnswerRequest, context: Context
    ) -> AsyncIterator[api.StreamAnswerResponse]:
        """Read from the answer's log one page at a time, so a reader that falls behind holds
        up only itself: the answer is produced and logged at its own pace."""
        asker = caller()
        answer, after = await self._answering.start(asker, stream_request(request))
        async for event in self._answering.follow(asker.name, answer, after):
            yield stream_response(event)

    async def StopAnswer(
        self, request: api.StopAnswerRequest, context: Context
    ) -> api.StopAnswerResponse:
        answer = await self._answering.stop(caller_name(), request.name)
        return api.StopAnswerResponse(answer=message_message(answer))

    async def SetFeedback(
        self, request: api.SetFeedbackRequest, context: Context
    ) -> api.SetFeedbackResponse:
        answer = await self._answering.set_feedback(
            caller_name(), request.name, request.feedback.rating, request.feedback.comment
        )
        return api.SetFeedbackResponse(answer=message_message(answer))


def stream_request(request: api.StreamAnswerRequest) -> StreamRequest:
    return StreamRequest(
        parent=request.parent,
        content=request.content,
        max_citations=request.max_citations,
        parent_message=request.parent_message,
        regenerate=request.regenerate,
        resume_answer=request.resume_answer,
        after_sequence=request.after_sequence,
    )
