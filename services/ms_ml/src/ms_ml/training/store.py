"""Training jobs and their log entries in the service's database."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from ..repository.conditional import changed_rows
from ..repository.tables import training_job_entries, training_jobs
from .jobs import JobLimits, JobState, LogEntry, TrainingJob


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _job(row: RowMapping) -> TrainingJob:
    create_time = _aware(row["create_time"])
    update_time = _aware(row["update_time"])
    assert create_time is not None and update_time is not None
    return TrainingJob(
        name=row["name"],
        model=row["model"],
        recipe=row["recipe"],
        state=JobState(row["state"]),
        dataset_uri=row["dataset_uri"],
        hyperparameters=dict(row["hyperparameters"]),
        limits=JobLimits(row["timeout_seconds"], row["memory_bytes"]),
        creator=row["creator"],
        create_time=create_time,
        update_time=update_time,
        start_time=_aware(row["start_time"]),
        end_time=_aware(row["end_time"]),
        model_version=row["model_version"],
        error_message=row["error_message"],
        metrics={str(k): float(v) for k, v in dict(row["metrics"]).items()},
        host=row["host"],
        pid=row["pid"],
        cancel_requested=row["cancel_requested"],
        attempts=row["attempts"],
    )


class SqlTrainingJobs:
    """The training jobs of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, job: TrainingJob) -> bool:
        """Inserts `job`; False when a job of that name exists."""
        if await self.get(job.name) is not None:
            return False
        await self.session.execute(
            insert(training_jobs).values(
                name=job.name,
                model=job.model,
                recipe=job.recipe,
                state=int(job.state),
                dataset_uri=job.dataset_uri,
                hyperparameters=job.hyperparameters,
                timeout_seconds=job.limits.timeout_seconds,
                memory_bytes=job.limits.memory_bytes,
                creator=job.creator,
                model_version="",
                error_message="",
                metrics={},
                host="",
                pid=0,
                cancel_requested=False,
                attempts=0,
                create_time=job.create_time,
                update_time=job.update_time,
            )
        )
        return True

    async def get(self, name: str) -> TrainingJob | None:
        row = (
            (await self.session.execute(select(training_jobs).where(training_jobs.c.name == name)))
            .mappings()
            .first()
        )
        return _job(row) if row is not None else None

    async def listing(
        self, model: str | None, state: JobState | None, offset: int, limit: int
    ) -> list[TrainingJob]:
        """Newest first (by creation, then name), of `model` (every model when None)."""
        query = select(training_jobs)
        if model is not None:
            query = query.where(training_jobs.c.model == model)
        if state is not None:
            query = query.where(training_jobs.c.state == int(state))
        query = query.order_by(training_jobs.c.create_time.desc(), training_jobs.c.name.desc())
        rows = (await self.session.execute(query.offset(offset).limit(limit))).mappings().all()
        return [_job(row) for row in rows]

    async def in_states(self, states: Collection[JobState], limit: int = 1000) -> list[TrainingJob]:
        """Jobs in `states`, oldest first."""
        rows = (
            (
                await self.session.execute(
                    select(training_jobs)
                    .where(training_jobs.c.state.in_([int(s) for s in states]))
                    .order_by(training_jobs.c.create_time, training_jobs.c.name)
                    .limit(limit)
                )
            )
            .mappings()
            .all()
        )
        return [_job(row) for row in rows]

    async def change(
        self, name: str, when: Collection[JobState], host_was: str | None = None, **values: Any
    ) -> bool:
        """Sets `values` on the job if it is in one of the states `when` (and, given `host_was`,
        still held by that host) in one conditional statement; False when it is not (any more)."""
        if "state" in values:
            values["state"] = int(values["state"])
        statement = (
            update(training_jobs)
            .where(training_jobs.c.name == name)
            .where(training_jobs.c.state.in_([int(s) for s in when]))
            .values(**values)
        )
        if host_was is not None:
            statement = statement.where(training_jobs.c.host == host_was)
        return await changed_rows(self.session, statement) == 1

    async def last_sequence(self, name: str) -> int:
        found = await self.session.scalar(
            select(func.max(training_job_entries.c.sequence)).where(
                training_job_entries.c.job == name
            )
        )
        return int(found or 0)

    async def last_entry_time(self, name: str) -> datetime | None:
        found = await self.session.scalar(
            select(func.max(training_job_entries.c.time)).where(training_job_entries.c.job == name)
        )
        return _aware(found)

    async def append(self, name: str, entries: list[LogEntry]) -> None:
        if entries:
            await self.session.execute(
                insert(training_job_entries),
                [
                    {
                        "job": name,
                        "sequence": entry.sequence,
                        "time": entry.time,
                        "line": entry.line,
                        "metric": entry.metric,
                        "step": entry.step,
                        "value": entry.value,
                    }
                    for entry in entries
                ],
            )

    async def entries_after(self, name: str, sequence: int, limit: int) -> list[LogEntry]:
        rows = (
            await self.session.execute(
                select(training_job_entries)
                .where(training_job_entries.c.job == name)
                .where(training_job_entries.c.sequence > sequence)
                .order_by(training_job_entries.c.sequence)
                .limit(limit)
            )
        ).mappings()
        found = []
        for row in rows:
            time = _aware(row["time"])
            assert time is not None
            found.append(
                LogEntry(
                    row["sequence"], time, row["line"], row["metric"], row["step"], row["value"]
                )
            )
        return found
