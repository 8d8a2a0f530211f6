"""The answers this instance is producing: one task each, stopped on request (here at once, or
from another instance through the stored stop request), all ended when the service stops."""

from __future__ import annotations

import asyncio
import contextlib

from knowledge_kit.database import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.messages import AnswerStatus, Message
from ..repository.work import ChatWork
from .production import AnswerJob, AnswerProducer

# How often a producer looks for a stop requested through another instance.
STOP_POLL_SECONDS = 0.1


class Producers:
    def __init__(
        self,
        producer: AnswerProducer,
        sessions: async_sessionmaker[AsyncSession],
        *,
        stop_poll_seconds: float = STOP_POLL_SECONDS,
    ) -> None:
        self._producer = producer
        self._sessions = sessions
        self._poll = stop_poll_seconds
        self._tasks: dict[str, asyncio.Task[Message]] = {}
        self._cancelled_as: dict[str, AnswerStatus] = {}

    def start(self, job: AnswerJob) -> None:
        name = job.answer.name
        task = asyncio.create_task(self._produce(job), name=f"answer {name}")
        self._tasks[name] = task

        def forget(_: asyncio.Task[Message]) -> None:
            self._tasks.pop(name, None)
            self._cancelled_as.pop(name, None)

        task.add_done_callback(forget)

    def producing(self, answer: str) -> bool:
        return answer in self._tasks

    async def stop(self, answer: str) -> bool:
        """Stop `answer` if it is produced here; True once it has ended with its text kept."""
        task = self._tasks.get(answer)
        if task is None:
            return False
        self._cancel(answer, AnswerStatus.STOPPED)
        await asyncio.gather(task, return_exceptions=True)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop`; answers still being produced then end as FAILED."""
        await stop.wait()
        tasks = list(self._tasks.items())
        for answer, _ in tasks:
            self._cancel(answer, AnswerStatus.FAILED)
        await asyncio.gather(*(task for _, task in tasks), return_exceptions=True)

    def _cancel(self, answer: str, status: AnswerStatus) -> None:
        task = self._tasks.get(answer)
        if task is not None and answer not in self._cancelled_as:
            self._cancelled_as[answer] = status
            task.cancel()

    async def _produce(self, job: AnswerJob) -> Message:
        watching = asyncio.create_task(self._watch_for_stop(job.answer.name))
        try:
            return await self._producer.produce(job, self._cancelled_as)
        finally:
            watching.cancel()

    async def _watch_for_stop(self, answer: str) -> None:
        while True:
            await asyncio.sleep(self._poll)
            with contextlib.suppress(Exception):  # the database away: look again later
                async with UnitOfWork(self._sessions) as uow:
                    requested = await ChatWork(uow.session).messages.stop_requested(answer)
                if requested:
                    self._cancel(answer, AnswerStatus.STOPPED)
                    return
