"""Messages kept in the service's database: the answer tree of each conversation."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import CursorResult, Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.messages import AnswerStatus, Feedback, Message, Rating, Role, Usage
from .rows import aware, citations_from, citations_json
from .tables import messages

# Names per statement in `IN (...)`.
_CHUNK = 500


class SqlMessages:
    """Maps messages to rows of `messages` within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: Message) -> None:
        await self._session.execute(insert(messages).values(**_row(message), stop_requested=False))

    async def get(self, name: str) -> Message | None:
        row = (
            await self._session.execute(select(messages).where(messages.c.name == name))
        ).one_or_none()
        return _message(row) if row is not None else None

    async def get_many(self, names: Collection[str]) -> dict[str, Message]:
        found: dict[str, Message] = {}
        listed = list(names)
        for start in range(0, len(listed), _CHUNK):
            query = select(messages).where(messages.c.name.in_(listed[start : start + _CHUNK]))
            for row in await self._session.execute(query):
                found[row.name] = _message(row)
        return found

    async def parents(self, conversation: str) -> dict[str, str]:
        """Every message of the conversation with its parent, oldest first."""
        query = (
            select(messages.c.name, messages.c.parent_message)
            .where(messages.c.conversation == conversation)
            .order_by(messages.c.id)
        )
        return {row.name: row.parent_message for row in await self._session.execute(query)}

    async def in_conversation(self, conversation: str, *, offset: int, limit: int) -> list[Message]:
        """The conversation's messages of every branch, oldest first."""
        query = (
            select(messages)
            .where(messages.c.conversation == conversation)
            .order_by(messages.c.id)
            .offset(offset)
            .limit(limit)
        )
        return [_message(row) for row in await self._session.execute(query)]

    async def finish(self, answer: Message) -> bool:
        """Store how `answer` ended, unless it already has (by a stop elsewhere)."""
        result = await self._session.execute(
            update(messages)
            .where(messages.c.name == answer.name, messages.c.status == AnswerStatus.ANSWERING)
            .values(**_row(answer))
        )
        return cast(CursorResult[Any], result).rowcount == 1

    async def set_feedback(self, name: str, feedback: Feedback) -> None:
        await self._session.execute(
            update(messages)
            .where(messages.c.name == name)
            .values(
                rating=int(feedback.rating),
                feedback_comment=feedback.comment,
                feedback_time=feedback.time,
            )
        )

    async def request_stop(self, name: str) -> None:
        await self._session.execute(
            update(messages).where(messages.c.name == name).values(stop_requested=True)
        )

    async def stop_requested(self, name: str) -> bool:
        query = select(messages.c.stop_requested).where(messages.c.name == name)
        return bool((await self._session.execute(query)).scalar_one_or_none())

    async def answering(self) -> list[str]:
        """Answers still marked as being produced."""
        query = select(messages.c.name).where(messages.c.status == AnswerStatus.ANSWERING)
        return list((await self._session.execute(query)).scalars())


def _row(message: Message) -> dict[str, Any]:
    usage = message.usage or Usage()
    feedback = message.feedback
    return {
        "name": message.name,
        "conversation": message.conversation,
        "role": int(message.role),
        "content": message.content,
        "parent_message": message.parent,
        "status": int(message.status),
        "citations": citations_json(message.citations),
        "model": usage.model,
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "passages": usage.passages,
        "first_token_ms": usage.first_token_ms,
        "total_ms": usage.total_ms,
        "rating": int(feedback.rating) if feedback else 0,
        "feedback_comment": feedback.comment if feedback else "",
        "feedback_time": feedback.time if feedback else None,
        "create_time": message.create_time,
    }


def _message(row: Row[Any]) -> Message:
    role = Role(row.role)
    feedback = (
        Feedback(Rating(row.rating), row.feedback_comment, aware(row.feedback_time))
        if row.rating and row.feedback_time is not None
        else None
    )
    usage = (
        Usage(
            model=row.model,
            prompt_tokens=row.prompt_tokens,
            completion_tokens=row.completion_tokens,
            passages=row.passages,
            first_token_ms=row.first_token_ms,
            total_ms=row.total_ms,
        )
        if role is Role.ASSISTANT
        else None
    )
    return Message(
        name=row.name,
        conversation=row.conversation,
        role=role,
        content=row.content,
        parent=row.parent_message,
        create_time=aware(row.create_time),
        status=AnswerStatus(row.status),
        usage=usage,
        feedback=feedback,
        citations=citations_from(row.citations),
    )
