"""Writes one answer's events to its log, numbered in order, and wakes its readers."""

from __future__ import annotations

from typing import Any

from knowledge_kit.database import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.messages import Citation
from ..domain.stream import EventKind
from ..repository.rows import citation_dict
from ..repository.work import ChatWork
from .signals import AnswerSignals


class AnswerRecorder:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        signals: AnswerSignals,
        answer: str,
        *,
        next_sequence: int,
    ) -> None:
        self._sessions = sessions
        self._signals = signals
        self.answer = answer
        self.next_sequence = next_sequence

    async def sources(self, passages: list[Citation]) -> None:
        await self._append(
            EventKind.SOURCES, {"passages": [citation_dict(passage) for passage in passages]}
        )

    async def text(self, text: str) -> None:
        await self._append(EventKind.TOKEN, {"text": text})

    async def citation(self, citation: Citation) -> None:
        await self._append(EventKind.CITATION, {"citation": citation_dict(citation)})

    def take_sequence(self) -> int:
        sequence = self.next_sequence
        self.next_sequence += 1
        return sequence

    def notify(self) -> None:
        self._signals.notify(self.answer)

    async def _append(self, kind: EventKind, payload: dict[str, Any]) -> None:
        async with UnitOfWork(self._sessions) as uow:
            await ChatWork(uow.session).log.append(self.answer, self.next_sequence, kind, payload)
            await uow.commit()
        self.next_sequence += 1
        self.notify()
