"""Following a job to its end, as a caller of StreamTrainingJobLogs would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ms_ml.training.jobs import JobState, LogEntry, TrainingJob
from ms_ml.training.use_cases import JobRequest, TrainingUseCases


def reranker_job(**hyperparameters: str) -> JobRequest:
    return JobRequest(
        recipe="reranker",
        dataset_uri="",
        hyperparameters={"epochs": "50", **hyperparameters},
        timeout_seconds=0,
        memory_bytes=0,
    )


async def follow(
    use_cases: TrainingUseCases, name: str, after: int = 0, seconds: float = 120
) -> tuple[list[LogEntry], list[TrainingJob]]:
    """Every entry and every job state the stream sends, until it ends."""
    entries: list[LogEntry] = []
    jobs: list[TrainingJob] = []

    async def read() -> None:
        async for item in use_cases.follow(name, after):
            (jobs if isinstance(item, TrainingJob) else entries).append(item)  # type: ignore[arg-type]

    await asyncio.wait_for(read(), seconds)
    return entries, jobs


async def wait_for_state(
    use_cases: TrainingUseCases, name: str, state: JobState, seconds: float = 60
) -> TrainingJob:
    async def wait() -> TrainingJob:
        while (job := await use_cases.get(name)).state != state:
            assert not job.state.ended, f"{name} ended {job.state.name}: {job.error_message}"
            await asyncio.sleep(0.05)
        return job

    return await asyncio.wait_for(wait(), seconds)


async def wait_for_line(
    use_cases: TrainingUseCases, name: str, prefix: str, seconds: float = 60
) -> LogEntry:
    """The first entry of the job's log starting with `prefix`, once it is recorded."""
    return await _wait_for_entry(
        use_cases,
        name,
        lambda entry: (entry.line or "").startswith(prefix),
        f"no line starting {prefix!r}",
        seconds,
    )


async def wait_for_entries(
    use_cases: TrainingUseCases, name: str, count: int, seconds: float = 60
) -> None:
    """Until the job's log holds `count` entries (lines or metric points, numbered from 1)."""
    await _wait_for_entry(
        use_cases,
        name,
        lambda entry: entry.sequence >= count,
        f"fewer than {count} entries",
        seconds,
    )


async def _wait_for_entry(
    use_cases: TrainingUseCases,
    name: str,
    wanted: Callable[[LogEntry], bool],
    missing: str,
    seconds: float,
) -> LogEntry:
    """The first entry of the job's log that is `wanted`; the job ending first fails with
    `missing`."""

    async def wait() -> LogEntry:
        async for item in use_cases.follow(name, 0):
            if isinstance(item, LogEntry) and wanted(item):
                return item
        raise AssertionError(f"{name} ended with {missing}")

    return await asyncio.wait_for(wait(), seconds)
