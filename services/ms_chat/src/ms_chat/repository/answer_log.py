"""The log of each answer's stream, in sequence order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.stream import EventKind
from .tables import answer_events


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    sequence: int
    kind: EventKind
    payload: dict[str, Any]


class SqlAnswerLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(
        self, answer: str, sequence: int, kind: EventKind, payload: dict[str, Any]
    ) -> None:
        await self._session.execute(
            insert(answer_events).values(
                answer=answer, sequence=sequence, kind=kind.value, payload=json.dumps(payload)
            )
        )

    async def after(self, answer: str, sequence: int, *, limit: int) -> list[LoggedEvent]:
        """Up to `limit` events of `answer` numbered above `sequence`, in order."""
        query = (
            select(answer_events.c.sequence, answer_events.c.kind, answer_events.c.payload)
            .where(answer_events.c.answer == answer, answer_events.c.sequence > sequence)
            .order_by(answer_events.c.sequence)
            .limit(limit)
        )
        return [
            LoggedEvent(row.sequence, EventKind(row.kind), json.loads(row.payload))
            for row in await self._session.execute(query)
        ]

    async def last_sequence(self, answer: str) -> int:
        query = select(func.max(answer_events.c.sequence)).where(answer_events.c.answer == answer)
        return int((await self._session.execute(query)).scalar_one_or_none() or 0)
