"""The service's values as knowledge.chat.v1 messages, for its API and its events."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.chat.v1 import chat_service_pb2 as api
from knowledge.chat.v1 import conversation_pb2 as pb

from .domain.conversations import Conversation
from .domain.messages import Citation, Feedback, Message, Usage
from .domain.stream import (
    Answered,
    Cited,
    QuestionAsked,
    SourcesFound,
    StreamEvent,
    TextAdded,
)


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def conversation_message(conversation: Conversation) -> pb.Conversation:
    return pb.Conversation(
        name=conversation.name,
        title=conversation.title,
        spaces=list(conversation.spaces),
        create_time=timestamp(conversation.create_time),
        update_time=timestamp(conversation.update_time),
        archived=conversation.archived,
        etag=conversation.etag,
        current_message=conversation.current_message,
    )


def citation_message(citation: Citation) -> pb.Citation:
    return pb.Citation(
        document=citation.document,
        title=citation.title,
        snippet=citation.snippet,
        revision=citation.revision,
        start_offset=citation.start,
        end_offset=citation.end,
        score=citation.score,
        answer_start_offset=citation.answer_start,
        answer_end_offset=citation.answer_end,
        chunk=citation.chunk,
        unavailable=citation.unavailable,
    )


def usage_message(usage: Usage) -> pb.AnswerUsage:
    return pb.AnswerUsage(
        model=usage.model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        passages=usage.passages,
        first_token_ms=usage.first_token_ms,
        total_ms=usage.total_ms,
    )


def feedback_message(feedback: Feedback) -> pb.Feedback:
    return pb.Feedback(
        rating=int(feedback.rating),  # type: ignore[arg-type]
        comment=feedback.comment,
        create_time=timestamp(feedback.time),
    )


def message_message(message: Message) -> pb.Message:
    wire = pb.Message(
        name=message.name,
        role=int(message.role),  # type: ignore[arg-type]
        content=message.content,
        citations=[citation_message(citation) for citation in message.citations],
        create_time=timestamp(message.create_time),
        parent_message=message.parent,
        status=int(message.status),  # type: ignore[arg-type]
    )
    if message.usage is not None:
        wire.usage.CopyFrom(usage_message(message.usage))
    if message.feedback is not None:
        wire.feedback.CopyFrom(feedback_message(message.feedback))
    return wire


def stream_response(event: StreamEvent) -> api.StreamAnswerResponse:
    response = api.StreamAnswerResponse(sequence=event.sequence, answer_message=event.answer)
    match event.item:
        case QuestionAsked(message):
            response.question.CopyFrom(message_message(message))
        case SourcesFound(passages):
            response.sources.passages.extend(citation_message(passage) for passage in passages)
        case TextAdded(text):
            response.token = text
        case Cited(citation):
            response.citation.CopyFrom(citation_message(citation))
        case Answered(message):
            response.answer.CopyFrom(message_message(message))
    return response
