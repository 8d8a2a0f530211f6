"""Questions answered from what the asker may read, streamed as logged events: the question,
the sources, text and citations that point at exact spans of a revision, then the answer; a
dropped stream picks up where it was; asking again makes a sibling answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from knowledge_kit.auth.principal import Principal
from knowledge_kit.errors import NotFoundError, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_chat.domain.messages import AnswerStatus, Citation, Message, Role
from ms_chat.domain.stream import (
    Answered,
    Cited,
    QuestionAsked,
    SourcesFound,
    StreamEvent,
    TextAdded,
)
from ms_chat.main import ChatParts
from ms_chat.service.answering import StreamRequest

from ..support import (
    ADA,
    BOB,
    BUDGET,
    HANDBOOK,
    ONBOARDING,
    ONBOARDING_TEXT,
    Platform,
    kinds,
    published,
)

QUESTION = "Where do new employees get their laptop?"


@pytest.fixture
def asker(mint_token: Callable[..., str]) -> Callable[..., Principal]:
    """The principal of a user as the kit verifies it, with a token ms_vector accepts."""

    def principal(user: str = ADA) -> Principal:
        return Principal(name=user, token=mint_token(user))

    return principal


async def collected(stream: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [event async for event in stream]


async def new_conversation(chat: ChatParts, user: str = ADA, spaces: tuple[str, ...] = ()) -> str:
    return (await chat.conversations.create(user, user, "", spaces)).name


async def test_a_question_streams_sources_text_and_exact_citations_then_the_answer(
    chat: ChatParts, platform: Platform, asker: Callable[..., Principal]
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat)

    events = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, content=QUESTION))
    )

    assert kinds(events)[:2] == ["QuestionAsked", "SourcesFound"]
    assert kinds(events)[-1] == "Answered"
    assert {"TextAdded", "Cited"} <= set(kinds(events))
    assert [event.sequence for event in events] == list(range(1, len(events) + 1))
    question, sources, answer = events[0].item, events[1].item, events[-1].item
    assert isinstance(question, QuestionAsked) and isinstance(sources, SourcesFound)
    assert isinstance(answer, Answered)
    assert question.message.content == QUESTION and question.message.role is Role.USER
    assert sources.passages and {p.document for p in sources.passages} == {ONBOARDING}
    stored = answer.message
    assert stored.status is AnswerStatus.COMPLETE and stored.parent == question.message.name
    text = "".join(event.item.text for event in events if isinstance(event.item, TextAdded))
    assert text == stored.content and "laptop" in stored.content.lower()
    cited = [event.item.citation for event in events if isinstance(event.item, Cited)]
    assert cited == list(stored.citations)
    for citation in cited:
        assert citation.document == ONBOARDING and citation.revision == 1
        assert ONBOARDING_TEXT[citation.start : citation.end] == citation.snippet
        assert 0 <= citation.answer_start < citation.answer_end <= len(stored.content)
    assert stored.usage is not None and stored.usage.model == "extractive"
    assert stored.usage.passages == len(sources.passages)
    conversation_now = await chat.conversations.get(ADA, conversation)
    assert conversation_now.current_message == stored.name
    assert conversation_now.title == QUESTION


async def test_the_events_are_published_with_the_state_they_describe(
    chat: ChatParts,
    platform: Platform,
    sessions: async_sessionmaker[AsyncSession],
    asker: Callable[..., Principal],
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat)
    events = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, content=QUESTION))
    )
    answer = events[-1].item
    assert isinstance(answer, Answered)
    await chat.answering.set_feedback(ADA, answer.message.name, 1, "spot on")
    await chat.conversations.delete(ADA, conversation)

    created, posted, completed, rated, deleted = await published(sessions)

    assert (created.conversation, created.user) == (conversation, ADA)  # type: ignore[attr-defined]
    assert (posted.content, posted.user) == (QUESTION, ADA)  # type: ignore[attr-defined]
    assert completed.message == answer.message.name  # type: ignore[attr-defined]
    assert completed.content == answer.message.content  # type: ignore[attr-defined]
    assert completed.question == QUESTION and completed.status == 2  # type: ignore[attr-defined]
    assert len(completed.citations) == len(answer.message.citations)  # type: ignore[attr-defined]
    assert (rated.rating, rated.comment, rated.model) == (1, "spot on", "extractive")  # type: ignore[attr-defined]
    assert deleted.conversation == conversation  # type: ignore[attr-defined]


async def test_a_dropped_stream_resumes_after_its_last_event(
    chat: ChatParts, platform: Platform, asker: Callable[..., Principal]
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat)
    whole: list[StreamEvent] = []
    async for event in chat.answering.stream(
        asker(), StreamRequest(parent=conversation, content=QUESTION)
    ):
        whole.append(event)
        if len(whole) == 3:
            break  # the connection dropped
    answer = whole[0].answer

    rest = await collected(
        chat.answering.stream(
            asker(),
            StreamRequest(parent=conversation, resume_answer=answer, after_sequence=3),
        )
    )
    again = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, resume_answer=answer))
    )

    assert rest[0].sequence == 4
    assert whole + rest == again
    assert isinstance(again[-1].item, Answered)


async def test_asking_again_makes_a_sibling_answer_and_shows_its_branch(
    chat: ChatParts, platform: Platform, asker: Callable[..., Principal]
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat)
    first = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, content=QUESTION))
    )
    question = first[0].item
    assert isinstance(question, QuestionAsked)

    second = await collected(
        chat.answering.stream(
            asker(), StreamRequest(parent=conversation, regenerate=first[-1].answer)
        )
    )

    answer = second[-1].item
    assert isinstance(answer, Answered)
    assert second[0].item == question  # the same question, streamed first again
    assert answer.message.parent == question.message.name
    assert answer.message.name != first[-1].answer
    branch = await chat.conversations.messages(
        ADA, conversation, all_branches=False, page_size=0, page_token=""
    )
    everything = await chat.conversations.messages(
        ADA, conversation, all_branches=True, page_size=0, page_token=""
    )
    assert [m.name for m in branch.items] == [question.message.name, answer.message.name]
    assert [m.name for m in everything.items] == [
        question.message.name,
        first[-1].answer,
        answer.message.name,
    ]


async def test_a_follow_up_continues_the_branch_and_an_edit_branches_off(
    chat: ChatParts, platform: Platform, asker: Callable[..., Principal]
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat)
    first = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, content=QUESTION))
    )
    follow_up = await collected(
        chat.answering.stream(
            asker(), StreamRequest(parent=conversation, content="Who prints the badges?")
        )
    )
    edited = await collected(
        chat.answering.stream(
            asker(),
            StreamRequest(
                parent=conversation,
                content="Who prints visitor badges?",
                parent_message=first[-1].answer,
            ),
        )
    )

    follow_question, edited_question = follow_up[0].item, edited[0].item
    assert isinstance(follow_question, QuestionAsked)
    assert isinstance(edited_question, QuestionAsked)
    assert follow_question.message.parent == first[-1].answer
    assert edited_question.message.parent == first[-1].answer
    branch = await chat.conversations.messages(
        ADA, conversation, all_branches=False, page_size=0, page_token=""
    )
    assert [m.content for m in branch.items if m.role is Role.USER] == [
        QUESTION,
        "Who prints visitor badges?",
    ]


async def test_citations_of_a_space_the_reader_left_are_shown_unavailable(
    chat: ChatParts, platform: Platform, asker: Callable[..., Principal]
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat)
    events = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, content=QUESTION))
    )
    answer = events[-1].answer

    await platform.remove(HANDBOOK, ADA)

    listed = await chat.conversations.messages(
        ADA, conversation, all_branches=True, page_size=0, page_token=""
    )
    replayed = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, resume_answer=answer))
    )
    later = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, content=QUESTION))
    )

    stored = next(m for m in listed.items if m.name == answer)
    assert stored.citations and all(_withheld(c) for c in stored.citations)
    for event in replayed:
        match event.item:
            case SourcesFound(passages):
                assert passages and all(_withheld(p) for p in passages)
            case Cited(citation):
                assert _withheld(citation)
            case Answered(message):
                assert all(_withheld(c) for c in message.citations)
    sources = later[1].item
    final = later[-1].item
    assert isinstance(sources, SourcesFound) and sources.passages == ()
    assert isinstance(final, Answered) and final.message.citations == ()
    assert final.message.status is AnswerStatus.NO_ANSWER


def _withheld(citation: object) -> bool:
    return (
        getattr(citation, "unavailable", False)
        and getattr(citation, "snippet", "x") == ""
        and getattr(citation, "title", "x") == ""
        and getattr(citation, "start", 1) == 0
        and getattr(citation, "end", 1) == 0
    )


async def test_only_spaces_the_asker_reads_are_searched_whatever_the_conversation_names(
    chat: ChatParts, platform: Platform, asker: Callable[..., Principal]
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat, spaces=("spaces/finance",))

    events = await collected(
        chat.answering.stream(
            asker(), StreamRequest(parent=conversation, content="What is the travel budget?")
        )
    )

    sources = events[1].item
    assert isinstance(sources, SourcesFound) and sources.passages == ()
    assert BUDGET not in {c.document for e in events for c in _citations(e)}


def _citations(event: StreamEvent) -> list[Citation]:
    item = event.item
    if isinstance(item, Cited):
        return [item.citation]
    if isinstance(item, (SourcesFound,)):
        return list(item.passages)
    return []


async def test_another_users_conversation_is_not_found(
    chat: ChatParts, platform: Platform, asker: Callable[..., Principal]
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat, user=BOB)
    events = await collected(
        chat.answering.stream(asker(BOB), StreamRequest(parent=conversation, content=QUESTION))
    )

    attempts = [
        chat.answering.stream(asker(), StreamRequest(parent=conversation, content=QUESTION)),
        chat.answering.stream(
            asker(), StreamRequest(parent=conversation, resume_answer=events[-1].answer)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(NotFoundError):
            await collected(attempt)
    with pytest.raises(NotFoundError):
        await chat.answering.stop(ADA, events[-1].answer)
    with pytest.raises(NotFoundError):
        await chat.conversations.get(ADA, conversation)


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "   \n"}, "content"),
        ({"content": "why " * 12_800}, "content"),
        ({"content": "why?", "max_citations": 51}, "max_citations"),
        ({"content": "why?", "regenerate": "x"}, "regenerate"),
        ({"content": "why?", "parent_message": "nonsense"}, "parent_message"),
        ({"resume_answer": "nonsense"}, "resume_answer"),
    ],
)
async def test_bad_questions_are_refused_naming_the_field(
    chat: ChatParts, request_fields: dict[str, object], field: str, asker: Callable[..., Principal]
) -> None:
    conversation = await new_conversation(chat)
    request = StreamRequest(parent=conversation, **request_fields)  # type: ignore[arg-type]

    with pytest.raises(ValidationError) as refused:
        await collected(chat.answering.stream(asker(), request))

    assert [violation.field for violation in refused.value.violations] == [field]


async def test_feedback_is_kept_on_the_answer(
    chat: ChatParts, platform: Platform, asker: Callable[..., Principal]
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat)
    events = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, content=QUESTION))
    )

    rated: Message = await chat.answering.set_feedback(ADA, events[-1].answer, 2, "too short")
    with pytest.raises(ValidationError):
        await chat.answering.set_feedback(ADA, events[-1].answer, 0, "")
    with pytest.raises(ValidationError):
        await chat.answering.set_feedback(ADA, events[-1].answer, 1, "x" * 2001)

    listed = await chat.conversations.messages(
        ADA, conversation, all_branches=False, page_size=0, page_token=""
    )
    assert rated.feedback is not None and rated.feedback.comment == "too short"
    assert listed.items[-1].feedback == rated.feedback


async def test_resuming_past_the_end_of_an_answer_ends_at_once(
    chat: ChatParts, platform: Platform, asker: Callable[..., Principal]
) -> None:
    await platform.handbook_and_finance()
    conversation = await new_conversation(chat)
    events = await collected(
        chat.answering.stream(asker(), StreamRequest(parent=conversation, content=QUESTION))
    )

    for after in (events[-1].sequence, 2**63 - 1):
        request = StreamRequest(
            parent=conversation, resume_answer=events[-1].answer, after_sequence=after
        )
        assert await collected(chat.answering.stream(asker(), request)) == []
