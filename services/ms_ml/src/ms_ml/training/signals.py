"""Wake-ups inside one instance: a job's streams when it reported something or changed state,
the supervisor when a job was queued or asked to cancel. Instances that share the database also
look every second, so a wake-up only ever makes things faster."""

from __future__ import annotations

import asyncio


class JobSignals:
    def __init__(self) -> None:
        self._jobs: dict[str, asyncio.Event] = {}
        self.work = asyncio.Event()

    def changed(self, name: str) -> asyncio.Event:
        """An event set at the job's next change: take it before reading the job's state."""
        event = self._jobs.get(name)
        if event is None or event.is_set():
            event = self._jobs[name] = asyncio.Event()
        return event

    def wake(self, name: str) -> None:
        event = self._jobs.pop(name, None)
        if event is not None:
            event.set()

    def wake_supervisor(self) -> None:
        self.work.set()
