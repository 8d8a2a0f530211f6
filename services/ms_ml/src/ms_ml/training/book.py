"""Every write to a training job, each in a transaction of its own: a state change comes with
its TrainingJobStateChanged event on ml.training.v1, and whatever changed wakes the job's streams
once committed."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from knowledge.ml.v1 import events_pb2
from knowledge.topics import ML_TRAINING_V1
from knowledge_kit.api import Clock, utc_now
from knowledge_kit.database import UnitOfWork, after_commit
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .jobs import JobState, LogEntry, TrainingJob
from .signals import JobSignals
from .store import SqlTrainingJobs


class TrainingWork(UnitOfWork):
    jobs: SqlTrainingJobs

    def on_begin(self, session: AsyncSession) -> None:
        self.jobs = SqlTrainingJobs(session)


def state_changed(job: TrainingJob, previous: int) -> events_pb2.TrainingJobStateChanged:
    return events_pb2.TrainingJobStateChanged(
        training_job=job.name,
        model=job.model,
        previous_state=int(previous),  # type: ignore[arg-type]
        state=int(job.state),  # type: ignore[arg-type]
        model_version=job.model_version,
        error_message=job.error_message,
        recipe=job.recipe,
        metrics=job.metrics,
    )


class JobBook:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        signals: JobSignals,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self.signals = signals
        self.clock = clock

    def work(self) -> TrainingWork:
        return TrainingWork(self._sessions)

    async def add(self, job: TrainingJob) -> bool:
        async with self.work() as work:
            if not await work.jobs.add(job):
                return False
            await self._outbox.record(
                work.session,
                ML_TRAINING_V1,
                state_changed(job, 0),
                subject=job.name,
            )
            after_commit(work.session, self.signals.wake_supervisor)
            await work.commit()
        return True

    async def get(self, name: str) -> TrainingJob | None:
        async with self.work() as work:
            return await work.jobs.get(name)

    async def move(
        self,
        name: str,
        when: Collection[JobState],
        to: JobState,
        note: str = "",
        **values: Any,
    ) -> TrainingJob | None:
        """Moves the job from one of the states `when` to `to` with `values` (update_time, and
        end_time when `to` ends it, set here), and logs `note` in the same transaction: a stream
        that sees the job ended has its last line too, and a move that did not happen logs
        nothing. None when the job was in none of the states `when`."""
        now = self.clock()
        values.setdefault("update_time", now)
        if to.ended:
            values.setdefault("end_time", now)
        async with self.work() as work:
            before = await work.jobs.get(name)
            if before is None or not await work.jobs.change(name, when, state=to, **values):
                return None
            if note:
                sequence = await work.jobs.last_sequence(name) + 1
                await work.jobs.append(name, [LogEntry(sequence, now, note)])
            job = await work.jobs.get(name)
            assert job is not None
            if job.state != before.state:
                await self._outbox.record(
                    work.session, ML_TRAINING_V1, state_changed(job, before.state), subject=name
                )
            after_commit(work.session, lambda: self.signals.wake(name))
            await work.commit()
        return job

    async def update(
        self, name: str, when: Collection[JobState], host_was: str | None = None, **values: Any
    ) -> bool:
        """Sets `values` (no change of state, no event) while the job is in `when` (and held by
        `host_was`, when given)."""
        async with self.work() as work:
            changed = await work.jobs.change(name, when, host_was, **values)
            after_commit(work.session, lambda: self.signals.wake(name))
            await work.commit()
        return changed

    async def report(
        self, name: str, entries: list[LogEntry], metrics: dict[str, float] | None = None
    ) -> None:
        """Appends entries to the job's log (and its latest metrics, while it runs)."""
        async with self.work() as work:
            await work.jobs.append(name, entries)
            if metrics:
                await work.jobs.change(
                    name, [JobState.RUNNING], metrics=metrics, update_time=self.clock()
                )
            after_commit(work.session, lambda: self.signals.wake(name))
            await work.commit()
