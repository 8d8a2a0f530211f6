"""A job running when its service dies is never left RUNNING: the next start fails it, or
queues it again, saying why."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.recipes.catalogue import RECIPES
from ms_ml.recipes.params import read_params
from ms_ml.training.book import JobBook
from ms_ml.training.config import TrainingConfig
from ms_ml.training.jobs import JobState, TrainingJob
from ms_ml.training.parts import Training
from ms_ml.training.process import worker_alive
from ms_ml.training.signals import JobSignals

from .conftest import HOST, MODEL, OWNER, MakeTraining
from .helpers import follow, reranker_job, wait_for_entries, wait_for_line, wait_for_state

DIES = Path(__file__).parent / "service_that_dies.py"


async def _kill_service_mid_job(
    training: Training, database_url: str, config: TrainingConfig
) -> TrainingJob:
    """Queues a long job, lets a service process run it, then SIGKILLs that service."""
    job = await training.use_cases.create(MODEL, reranker_job(epochs="5000"), "", OWNER)
    service = await asyncio.create_subprocess_exec(
        sys.executable, str(DIES), database_url, str(config.work_dir), HOST
    )
    try:
        running = await wait_for_state(training.use_cases, job.name, JobState.RUNNING)
        while not running.pid:
            await asyncio.sleep(0.05)
            running = await training.use_cases.get(job.name)
        # Killed once its attempt is in the log, so the log's order is the story's: a kill while
        # that line was being written let it land after the next start's verdict.
        await wait_for_line(training.use_cases, job.name, "attempt 1 on")
    finally:
        service.send_signal(signal.SIGKILL)
        await service.wait()
    for _ in range(100):  # the job's process dies with its service (parent-death signal)
        try:
            os.kill(running.pid, 0)
        except ProcessLookupError:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail(f"job process {running.pid} outlived its service")
    assert (await training.use_cases.get(job.name)).state == JobState.RUNNING
    return running


async def test_a_job_whose_service_was_killed_is_failed_when_the_service_starts_again(
    make_training: MakeTraining, database_url: str, training_config: TrainingConfig
) -> None:
    idle = make_training(start=False)
    running = await _kill_service_mid_job(idle, database_url, training_config)

    restarted = make_training()
    failed = await wait_for_state(restarted.use_cases, running.name, JobState.FAILED)
    gone = f"process {running.pid} is gone"
    assert failed.error_message == f"the service stopped while the job ran ({gone})"
    entries, states = await follow(restarted.use_cases, running.name)
    assert states[-1].state == JobState.FAILED
    assert entries[-1].line == f"failed: the service stopped while it ran ({gone})"


async def test_with_requeue_a_killed_job_is_queued_again_and_runs_to_the_end(
    make_training: MakeTraining, database_url: str, training_config: TrainingConfig
) -> None:
    idle = make_training(start=False)
    running = await _kill_service_mid_job(idle, database_url, training_config)

    restarted = make_training(on_restart="requeue")
    entries, states = await follow(restarted.use_cases, running.name)
    done = states[-1]
    assert done.state == JobState.SUCCEEDED, done.error_message
    assert done.attempts == 2
    lines = [e.line for e in entries if e.line]
    assert any(line.startswith("queued again: the service stopped while it ran") for line in lines)
    assert any(line.startswith("attempt 2 on test-host") for line in lines)


async def test_a_job_process_that_outlived_its_service_is_stopped_and_its_job_failed(
    make_training: MakeTraining,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    idle = make_training(start=False)
    job = await idle.use_cases.create(MODEL, reranker_job(epochs="5000"), "", OWNER)
    spec = idle.supervisor.attempt_dir(job, 1) / "spec.json"
    spec.parent.mkdir(parents=True)
    spec.write_text(
        json.dumps(
            {
                "job": job.name,
                "recipe": "reranker",
                "params": read_params(RECIPES["reranker"].params, {"epochs": "5000"}),
                "dataset": "",
                "output": str(spec.parent / "model"),
            }
        )
    )
    # A worker whose service is gone: started by a shell that exits at once.
    shell = await asyncio.create_subprocess_exec(
        "sh",
        "-c",
        f'"{sys.executable}" -m ms_ml.training.worker "{spec}" >/dev/null 2>&1 & echo $!',
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await shell.communicate()
    pid = int(out)
    book = JobBook(sessions, Outbox("ms_ml"), JobSignals())
    await book.move(job.name, [JobState.QUEUED], JobState.RUNNING, host=HOST, pid=pid, attempts=1)
    assert worker_alive(pid, spec)

    restarted = make_training()
    failed = await wait_for_state(restarted.use_cases, job.name, JobState.FAILED)
    assert failed.error_message == (
        f"the service stopped while the job ran (process {pid} outlived it and was stopped)"
    )
    for _ in range(100):
        if not worker_alive(pid, spec):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail(f"the orphaned worker {pid} still runs")


async def test_a_job_running_when_its_service_stops_is_failed_after_its_last_lines(
    make_training: MakeTraining,
) -> None:
    training = make_training(start=False)
    job = await training.use_cases.create(MODEL, reranker_job(epochs="5000"), "", OWNER)
    stop = asyncio.Event()
    supervising = asyncio.create_task(training.supervisor.run(stop))
    # Metric points are on their way while the service stops: the worker writes one an epoch.
    await wait_for_entries(training.use_cases, job.name, 20)
    stop.set()
    await asyncio.wait_for(supervising, 30)

    entries, states = await follow(training.use_cases, job.name)
    assert states[-1].state == JobState.FAILED
    assert states[-1].error_message == "the service stopped while the job ran"
    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
    assert entries[-1].line == "failed: the service stopped while it ran"
