"""ChatService over gRPC as a client sees it: a question streamed as the question, its sources,
text and citations, then the stored answer; a dropped stream resumed; asking again; another
user's conversation NOT_FOUND; bad questions INVALID_ARGUMENT naming the field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.chat.v1 import chat_service_pb2 as api
from knowledge.chat.v1 import conversation_pb2 as pb
from knowledge_kit.errors import field_violations_of

from ..support import ADA, BOB, HANDBOOK, ONBOARDING, ONBOARDING_TEXT, Platform
from .conftest import Metadata

if TYPE_CHECKING:
    from knowledge.chat.v1.chat_service_pb2_grpc import ChatServiceAsyncStub

QUESTION = "Where do new employees get their laptop?"


async def new_conversation(stub: ChatServiceAsyncStub, metadata: Metadata, user: str = ADA) -> str:
    request = api.CreateConversationRequest(parent=user, conversation=pb.Conversation())
    return (await stub.CreateConversation(request, metadata=metadata)).conversation.name


async def streamed(
    stub: ChatServiceAsyncStub, request: api.StreamAnswerRequest, metadata: Metadata
) -> list[api.StreamAnswerResponse]:
    return [response async for response in stub.StreamAnswer(request, metadata=metadata)]


def kinds(responses: list[api.StreamAnswerResponse]) -> list[str]:
    return [str(response.WhichOneof("event")) for response in responses]


async def test_a_question_streams_question_sources_tokens_citations_then_the_answer(
    stub: ChatServiceAsyncStub, platform: Platform, as_user: Callable[[str], Metadata]
) -> None:
    await platform.handbook_and_finance()
    ada = as_user(ADA)
    conversation = await new_conversation(stub, ada)

    responses = await streamed(
        stub, api.StreamAnswerRequest(parent=conversation, content=QUESTION), ada
    )

    order = kinds(responses)
    assert order[:3] == ["question", "sources", "token"] and order[-1] == "answer"
    assert "citation" in order
    assert [r.sequence for r in responses] == list(range(1, len(responses) + 1))
    answer = responses[-1].answer
    assert {r.answer_message for r in responses} == {answer.name}
    assert answer.status == pb.ANSWER_STATUS_COMPLETE and answer.role == pb.MESSAGE_ROLE_ASSISTANT
    assert "".join(r.token for r in responses if r.HasField("token")) == answer.content
    for citation in answer.citations:
        assert ONBOARDING_TEXT[citation.start_offset : citation.end_offset] == citation.snippet
        assert citation.document == ONBOARDING and citation.chunk.startswith(ONBOARDING)
    assert answer.usage.model == "extractive" and answer.usage.passages >= 1
    listed = await stub.ListMessages(api.ListMessagesRequest(parent=conversation), metadata=ada)
    assert [m.name for m in listed.messages] == [responses[0].question.name, answer.name]
    assert listed.messages[1] == answer


async def test_a_dropped_stream_is_resumed_after_the_last_sequence_received(
    stub: ChatServiceAsyncStub, platform: Platform, as_user: Callable[[str], Metadata]
) -> None:
    await platform.handbook_and_finance()
    ada = as_user(ADA)
    conversation = await new_conversation(stub, ada)
    received: list[api.StreamAnswerResponse] = []
    call = stub.StreamAnswer(
        api.StreamAnswerRequest(parent=conversation, content=QUESTION), metadata=ada
    )
    async for response in call:
        received.append(response)
        if len(received) == 2:
            call.cancel()  # the connection dropped
            break

    rest = await streamed(
        stub,
        api.StreamAnswerRequest(
            parent=conversation,
            resume_answer=received[0].answer_message,
            after_sequence=received[-1].sequence,
        ),
        ada,
    )

    assert rest[0].sequence == 3 and rest[-1].HasField("answer")
    assert rest[-1].answer.status == pb.ANSWER_STATUS_COMPLETE


async def test_asking_again_makes_a_sibling_answer_shown_as_the_current_branch(
    stub: ChatServiceAsyncStub, platform: Platform, as_user: Callable[[str], Metadata]
) -> None:
    await platform.handbook_and_finance()
    ada = as_user(ADA)
    conversation = await new_conversation(stub, ada)
    first = await streamed(
        stub, api.StreamAnswerRequest(parent=conversation, content=QUESTION), ada
    )

    second = await streamed(
        stub,
        api.StreamAnswerRequest(parent=conversation, regenerate=first[-1].answer.name),
        ada,
    )

    question = first[0].question
    assert second[0].question == question
    assert second[-1].answer.parent_message == question.name
    got = await stub.GetConversation(api.GetConversationRequest(name=conversation), metadata=ada)
    assert got.conversation.current_message == second[-1].answer.name
    # The user switches back to the first answer's branch.
    await stub.UpdateConversation(
        api.UpdateConversationRequest(
            conversation=pb.Conversation(name=conversation, current_message=first[-1].answer.name),
            update_mask=FieldMask(paths=["current_message"]),
        ),
        metadata=ada,
    )
    branch = await stub.ListMessages(api.ListMessagesRequest(parent=conversation), metadata=ada)
    every = await stub.ListMessages(
        api.ListMessagesRequest(parent=conversation, all_branches=True), metadata=ada
    )
    assert [m.name for m in branch.messages] == [question.name, first[-1].answer.name]
    assert len(every.messages) == 3


async def test_citations_become_unavailable_once_the_reader_leaves_the_space(
    stub: ChatServiceAsyncStub, platform: Platform, as_user: Callable[[str], Metadata]
) -> None:
    await platform.handbook_and_finance()
    ada = as_user(ADA)
    conversation = await new_conversation(stub, ada)
    await streamed(stub, api.StreamAnswerRequest(parent=conversation, content=QUESTION), ada)

    await platform.remove(HANDBOOK, ADA)

    listed = await stub.ListMessages(api.ListMessagesRequest(parent=conversation), metadata=ada)
    citations = listed.messages[-1].citations
    assert citations and all(c.unavailable and not c.snippet and not c.title for c in citations)
    assert "laptop" not in str(citations).lower()


async def test_another_users_conversation_is_not_found(
    stub: ChatServiceAsyncStub, platform: Platform, as_user: Callable[[str], Metadata]
) -> None:
    await platform.handbook_and_finance()
    bob, ada = as_user(BOB), as_user(ADA)
    conversation = await new_conversation(stub, bob, BOB)
    responses = await streamed(
        stub, api.StreamAnswerRequest(parent=conversation, content=QUESTION), bob
    )
    answer = responses[-1].answer.name

    attempts: list[Awaitable[object]] = [
        streamed(stub, api.StreamAnswerRequest(parent=conversation, content=QUESTION), ada),
        streamed(stub, api.StreamAnswerRequest(parent=conversation, resume_answer=answer), ada),
        stub.GetConversation(api.GetConversationRequest(name=conversation), metadata=ada),
        stub.ListMessages(api.ListMessagesRequest(parent=conversation), metadata=ada),
        stub.StopAnswer(api.StopAnswerRequest(name=answer), metadata=ada),
        stub.SetFeedback(
            api.SetFeedbackRequest(name=answer, feedback=pb.Feedback(rating=pb.RATING_UP)),
            metadata=ada,
        ),
        stub.DeleteConversation(api.DeleteConversationRequest(name=conversation), metadata=ada),
    ]
    for attempt in attempts:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await attempt
        assert refused.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("content", "max_citations"), [("", 0), ("\n\n", 0), ("x" * 50_000, 0), ("why?", -1)]
)
async def test_bad_questions_are_invalid_arguments_naming_the_field(
    stub: ChatServiceAsyncStub, as_user: Callable[[str], Metadata], content: str, max_citations: int
) -> None:
    ada = as_user(ADA)
    conversation = await new_conversation(stub, ada)

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await streamed(
            stub,
            api.StreamAnswerRequest(
                parent=conversation, content=content, max_citations=max_citations
            ),
            ada,
        )

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    field = "content" if content != "why?" else "max_citations"
    assert [v.field for v in field_violations_of(refused.value)] == [field]
