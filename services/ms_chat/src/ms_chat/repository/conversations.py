"""Conversations kept in the service's database."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Row, and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.conversations import Conversation
from .rows import aware
from .tables import conversations


class SqlConversations:
    """Maps conversations to rows of `conversations` within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, conversation: Conversation) -> None:
        await self._session.execute(insert(conversations).values(**_row(conversation)))

    async def get(self, name: str) -> Conversation | None:
        row = (
            await self._session.execute(select(conversations).where(conversations.c.name == name))
        ).one_or_none()
        return _conversation(row) if row is not None else None

    async def list_for(
        self,
        owner: str,
        *,
        archived: bool,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Conversation]:
        """The owner's conversations, most recently updated first (then by name), after the
        position `after` (update_time, name) of the last one listed."""
        table = conversations.c
        query = (
            select(conversations)
            .where(table.owner == owner, table.archived == archived)
            .order_by(table.update_time.desc(), table.name.desc())
            .limit(limit)
        )
        if after is not None:
            time, name = after
            query = query.where(
                or_(table.update_time < time, and_(table.update_time == time, table.name < name))
            )
        return [_conversation(row) for row in await self._session.execute(query)]

    async def replace(self, conversation: Conversation, *, expected_etag: str) -> bool:
        """Store `conversation` unless its row changed since it was read (etag)."""
        result = await self._session.execute(
            update(conversations)
            .where(
                conversations.c.name == conversation.name,
                conversations.c.etag == expected_etag,
            )
            .values(**_row(conversation))
        )
        return cast(CursorResult[Any], result).rowcount == 1

    async def delete(self, name: str) -> bool:
        result = await self._session.execute(
            delete(conversations).where(conversations.c.name == name)
        )
        return cast(CursorResult[Any], result).rowcount == 1


def _row(conversation: Conversation) -> dict[str, Any]:
    return {
        "name": conversation.name,
        "owner": conversation.owner,
        "title": conversation.title,
        "spaces": json.dumps(list(conversation.spaces)),
        "archived": conversation.archived,
        "etag": conversation.etag,
        "current_message": conversation.current_message,
        "create_time": conversation.create_time,
        "update_time": conversation.update_time,
    }


def _conversation(row: Row[Any]) -> Conversation:
    return Conversation(
        name=row.name,
        owner=row.owner,
        title=row.title,
        spaces=tuple(json.loads(row.spaces)),
        archived=bool(row.archived),
        etag=row.etag,
        current_message=row.current_message,
        create_time=aware(row.create_time),
        update_time=aware(row.update_time),
    )
