"""Reading an answer's events: replayed from the log after a sequence, then followed live until
the answer's own event, on whichever instance produces it. A reader holds one page of the log at
a time, so a slow reader costs no memory while the answer grows."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import NotFoundError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.messages import Citation, Message
from ..domain.stream import (
    Answered,
    Cited,
    EventKind,
    QuestionAsked,
    SourcesFound,
    StreamEvent,
    StreamItem,
    TextAdded,
    seen_by,
)
from ..repository.answer_log import LoggedEvent
from ..repository.rows import citation_from
from ..repository.work import ChatWork
from .signals import AnswerSignals

PAGE = 64
# Sequences are stored as 32-bit integers; a reader past the last one gets nothing more.
MAX_SEQUENCE = 2**31 - 1
# How often a reader looks at the log of an answer produced on another instance.
POLL_SECONDS = 0.2


class AnswerFeed:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        signals: AnswerSignals,
        *,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._sessions = sessions
        self._signals = signals
        self._poll = poll_seconds

    async def follow(self, reader: str, answer: str, after: int) -> AsyncIterator[StreamEvent]:
        """The events of `answer` numbered above `after`, as `reader` may see them (their
        memberships read again with each page), ending with the answer's own event (at once
        when `after` is already past it)."""
        after = min(after, MAX_SEQUENCE)
        while True:
            woken = self._signals.ticket(answer)
            page = await self._page(reader, answer, after)
            if page is None:
                return
            for event in page:
                yield event
                after = event.sequence
                if event.last:
                    return
            if len(page) < PAGE:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), self._poll)

    async def _page(self, reader: str, answer: str, after: int) -> list[StreamEvent] | None:
        """The next events, or None when the answer has ended before them."""
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session)
            logged = await work.log.after(answer, after, limit=PAGE)
            if not logged:
                stored = await work.messages.get(answer)
                if stored is None:
                    raise NotFoundError(f"{answer} was deleted with its conversation")
                if not stored.status.final:
                    return []
                # The answer's last events commit with its final status: read again, or a
                # status committed between the two reads above would end the stream without
                # them (PostgreSQL's statements each see the latest commit).
                logged = await work.log.after(answer, after, limit=PAGE)
                if not logged:
                    return None
            readable = await work.memberships.readable_spaces(reader)
            named = [
                str(event.payload["message"]) for event in logged if "message" in event.payload
            ]
            messages = await work.messages.get_many(named) if named else {}
        return [
            StreamEvent(answer, event.sequence, seen_by(_item(event, messages), readable))
            for event in logged
        ]


def _item(event: LoggedEvent, messages: dict[str, Message]) -> StreamItem:
    payload = event.payload
    match event.kind:
        case EventKind.QUESTION:
            return QuestionAsked(messages[payload["message"]])
        case EventKind.ANSWER:
            return Answered(messages[payload["message"]])
        case EventKind.SOURCES:
            return SourcesFound(tuple(_citations(payload["passages"])))
        case EventKind.CITATION:
            return Cited(citation_from(payload["citation"]))
    return TextAdded(str(payload["text"]))


def _citations(values: list[dict[str, object]]) -> list[Citation]:
    return [citation_from(value) for value in values]
