"""Wakes the readers of an answer on this instance as soon as its producer logged more."""

from __future__ import annotations

import asyncio


class AnswerSignals:
    """One event per answer with waiting readers; readers elsewhere poll the log instead."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Event] = {}

    def ticket(self, answer: str) -> asyncio.Event:
        """Take before reading the log: it is set by the next `notify` after that."""
        event = self._waiting.get(answer)
        if event is None:
            event = self._waiting[answer] = asyncio.Event()
        return event

    def notify(self, answer: str) -> None:
        event = self._waiting.pop(answer, None)
        if event is not None:
            event.set()
