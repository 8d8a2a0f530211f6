"""Asking, asking again, picking a dropped stream up, stopping and rating answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from knowledge.chat.v1 import events_pb2 as events
from knowledge_kit.api import Clock, new_etag, new_resource_id, utc_now
from knowledge_kit.auth.principal import Principal
from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import ConflictError, FieldViolation, ValidationError
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.branches import branch_ending_at, turns_of
from ..domain.conversations import Conversation, title_from
from ..domain.messages import AnswerStatus, Feedback, Message, Rating, Role, Usage
from ..domain.names import MESSAGE, conversation_of
from ..domain.questions import checked_comment, checked_question
from ..domain.stream import EventKind, StreamEvent
from ..repository.work import ChatWork
from .access import own_answer, own_conversation, own_message
from .feed import AnswerFeed
from .producers import Producers
from .production import AnswerJob

MAX_PASSAGES = 50
# How long StopAnswer waits for another instance to end the answer before ending it itself.
STOP_WAIT_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class StreamRequest:
    """What StreamAnswer asks for: a question, an answer again, or the rest of a stream."""

    parent: str
    content: str = ""
    max_citations: int = 0
    parent_message: str = ""
    regenerate: str = ""
    resume_answer: str = ""
    after_sequence: int = 0


@dataclass(frozen=True, slots=True)
class AnsweringPolicy:
    passages: int = 8
    history_turns: int = 6


class Answering:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        producers: Producers,
        feed: AnswerFeed,
        *,
        answerer_name: str,
        policy: AnsweringPolicy = AnsweringPolicy(),
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._producers = producers
        self._feed = feed
        self._answerer = answerer_name
        self._policy = policy
        self._clock = clock

    async def start(self, asker: Principal, request: StreamRequest) -> tuple[str, int]:
        """Checks the request and starts what it asks for: (the answer to follow, the
        sequence to follow it after). A new question or a regenerated answer is produced in
        the background, so a dropped stream does not stop it."""
        modes = [
            field
            for field, value in (
                ("content", request.content),
                ("regenerate", request.regenerate),
                ("resume_answer", request.resume_answer),
            )
            if value
        ]
        if len(modes) > 1:
            raise ValidationError(
                f"{' and '.join(modes)} were both set; a request asks, regenerates or resumes",
                [FieldViolation(modes[1], f"must be empty when {modes[0]} is set")],
            )
        if request.resume_answer:
            return await self._resumed(asker.name, request), request.after_sequence
        passages = self._passages(request.max_citations)
        if request.regenerate:
            return await self._regenerate(asker, request, passages), 0
        return await self._ask(asker, request, passages), 0

    def follow(self, reader: str, answer: str, after: int) -> AsyncIterator[StreamEvent]:
        """The events of `answer` after `after`, then live until its last."""
        return self._feed.follow(reader, answer, after)

    async def stream(self, asker: Principal, request: StreamRequest) -> AsyncIterator[StreamEvent]:
        answer, after = await self.start(asker, request)
        async for event in self.follow(asker.name, answer, after):
            yield event

    async def _ask(self, asker: Principal, request: StreamRequest, passages: int) -> str:
        question_text = checked_question(request.content, "content")
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session, self._outbox)
            conversation = await own_conversation(work, asker.name, request.parent, "parent")
            follows = await self._follows(work, conversation, request.parent_message)
            question = Message(
                name=_new_message(conversation),
                conversation=conversation.name,
                role=Role.USER,
                content=question_text,
                parent=follows,
                create_time=now,
            )
            await work.messages.add(question)
            job = await self._answer(work, asker, conversation, question, passages)
            await work.record(
                events.MessagePosted(
                    message=question.name,
                    conversation=conversation.name,
                    user=asker.name,
                    content=question.content,
                ),
                conversation=conversation.name,
            )
            await uow.commit()
        self._producers.start(job)
        return job.answer.name

    async def _regenerate(self, asker: Principal, request: StreamRequest, passages: int) -> str:
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session, self._outbox)
            conversation = await own_conversation(work, asker.name, request.parent, "parent")
            earlier = await own_answer(work, asker.name, request.regenerate, "regenerate")
            question = await work.messages.get(earlier.parent)
            if earlier.conversation != conversation.name or question is None:
                raise _not_of(conversation, "regenerate", request.regenerate)
            job = await self._answer(work, asker, conversation, question, passages)
            await uow.commit()
        self._producers.start(job)
        return job.answer.name

    async def _answer(
        self,
        work: ChatWork,
        asker: Principal,
        conversation: Conversation,
        question: Message,
        passages: int,
    ) -> AnswerJob:
        """A new answer to `question`, shown as the conversation's current branch, with the
        question as the first event of its stream."""
        asked_at = time.monotonic()
        answer = Message(
            name=_new_message(conversation),
            conversation=conversation.name,
            role=Role.ASSISTANT,
            content="",
            parent=question.name,
            create_time=self._clock(),
            status=AnswerStatus.ANSWERING,
            usage=Usage(model=self._answerer),
        )
        await work.messages.add(answer)
        await work.log.append(answer.name, 1, EventKind.QUESTION, {"message": question.name})
        shown = replace(
            conversation,
            current_message=answer.name,
            title=conversation.title or title_from(question.content),
            etag=new_etag(),
            update_time=answer.create_time,
        )
        if not await work.conversations.replace(shown, expected_etag=conversation.etag):
            raise ConflictError(f"{conversation.name} changed while the question was asked")
        parents = await work.messages.parents(conversation.name)
        branch = await work.messages.get_many(branch_ending_at(question.parent, parents))
        ordered = [branch[name] for name in branch_ending_at(question.parent, parents)]
        return AnswerJob(
            answer=answer,
            question=question,
            asker=asker.name,
            token=asker.token,
            spaces=await _searched_spaces(work, asker.name, conversation),
            passages=passages,
            history=tuple(turns_of(ordered, self._policy.history_turns)),
            asked_at=asked_at,
            next_sequence=2,
        )

    async def _follows(self, work: ChatWork, conversation: Conversation, parent: str) -> str:
        """The answer a new question follows: `parent_message`, else the one shown."""
        if not parent:
            current = conversation.current_message
            if not current:
                return ""
            shown = await work.messages.get(current)
            if shown is None:
                return ""
            return shown.name if shown.is_answer else shown.parent
        MESSAGE.check(parent, "parent_message")
        message = await work.messages.get(parent)
        if conversation_of(parent) != conversation.name or message is None:
            raise _not_of(conversation, "parent_message", parent)
        if not message.is_answer:
            raise ValidationError(
                f"parent_message {parent} is a question; a question follows an answer",
                [FieldViolation("parent_message", "must name an answer of the conversation")],
            )
        return parent

    async def _resumed(self, reader: str, request: StreamRequest) -> str:
        if request.after_sequence < 0:
            raise ValidationError(
                "after_sequence must not be negative",
                [FieldViolation("after_sequence", "must be 0 or the last sequence received")],
            )
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session)
            conversation = await own_conversation(work, reader, request.parent, "parent")
            answer = await own_answer(work, reader, request.resume_answer, "resume_answer")
            if answer.conversation != conversation.name:
                raise _not_of(conversation, "resume_answer", request.resume_answer)
        return answer.name

    def _passages(self, requested: int) -> int:
        if not 0 <= requested <= MAX_PASSAGES:
            raise ValidationError(
                f"max_citations must be 0 (the default, {self._policy.passages}) to {MAX_PASSAGES}",
                [FieldViolation("max_citations", f"must be 0 to {MAX_PASSAGES}")],
            )
        return requested or self._policy.passages

    async def stop(self, caller: str, name: str) -> Message:
        """Stops the answer `name` being produced (here or on another instance), keeping its
        text with status STOPPED; an answer that already ended is returned as it is."""
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session)
            answer = await own_answer(work, caller, name, "name")
            if answer.status.final:
                return await _seen(work, caller, answer)
            await work.messages.request_stop(name)
            await uow.commit()
        if not await self._producers.stop(name):
            await self._await_end(name)
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session)
            return await _seen(work, caller, await own_answer(work, caller, name, "name"))

    async def _await_end(self, name: str) -> None:
        """Wait for the instance producing `name` to end it; one that does not answer (gone
        with its process) leaves it to this one, which keeps the text logged so far."""
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while time.monotonic() < deadline:
            async with UnitOfWork(self._sessions) as uow:
                answer = await ChatWork(uow.session).messages.get(name)
            if answer is None or answer.status.final:
                return
            await asyncio.sleep(0.05)
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session, self._outbox)
            answer = await work.messages.get(name)
            if answer is None or answer.status.final:
                return
            text = "".join(
                str(event.payload["text"])
                for event in await work.log.after(name, 0, limit=1_000_000)
                if event.kind is EventKind.TOKEN
            )
            sequence = await work.log.last_sequence(name) + 1
            stopped = replace(answer, content=text, status=AnswerStatus.STOPPED)
            if await work.messages.finish(stopped):
                await work.log.append(name, sequence, EventKind.ANSWER, {"message": name})
                await uow.commit()

    async def set_feedback(self, caller: str, name: str, rating: int, comment: str) -> Message:
        """Rates the answer `name` (a new rating replaces the old); published as FeedbackGiven."""
        if rating not in (Rating.UP, Rating.DOWN):
            raise ValidationError(
                "feedback.rating must be RATING_UP or RATING_DOWN",
                [FieldViolation("feedback.rating", "must be RATING_UP or RATING_DOWN")],
            )
        feedback = Feedback(
            Rating(rating), checked_comment(comment, "feedback.comment"), self._clock()
        )
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session, self._outbox)
            answer = await own_answer(work, caller, name, "name")
            question = await work.messages.get(answer.parent)
            await work.messages.set_feedback(name, feedback)
            await work.record(
                events.FeedbackGiven(
                    message=name,
                    conversation=answer.conversation,
                    user=caller,
                    rating=int(feedback.rating),  # type: ignore[arg-type]
                    comment=feedback.comment,
                    question=question.content if question else "",
                    answer=answer.content,
                    model=answer.usage.model if answer.usage else "",
                ),
                conversation=answer.conversation,
            )
            rated = await _seen(work, caller, replace(answer, feedback=feedback))
            await uow.commit()
        return rated

    async def message(self, caller: str, name: str) -> Message:
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session)
            return await _seen(work, caller, await own_message(work, caller, name, "name"))


async def _seen(work: ChatWork, reader: str, message: Message) -> Message:
    return message.seen_by(await work.memberships.readable_spaces(reader))


async def _searched_spaces(
    work: ChatWork, asker: str, conversation: Conversation
) -> tuple[str, ...] | None:
    """The spaces to search: None for every space the asker can read, else the
    conversation's spaces the asker can still read (maybe none)."""
    if not conversation.spaces:
        return None
    readable = await work.memberships.readable_spaces(asker)
    return tuple(space for space in conversation.spaces if space in readable)


def _new_message(conversation: Conversation) -> str:
    return f"{conversation.name}/messages/{new_resource_id()}"


def _not_of(conversation: Conversation, field: str, name: str) -> ValidationError:
    return ValidationError(
        f"{field} {name!r} is not a message of {conversation.name}",
        [FieldViolation(field, "must name a message of the conversation")],
    )
