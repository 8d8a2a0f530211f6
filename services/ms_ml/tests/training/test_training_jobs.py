"""Training jobs run for real: a process per job that trains the reranker and registers its
version, cancel that stops the process, the wall-clock limit, and logs kept in order."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from ms_ml.service.registry import Registry
from ms_ml.training.jobs import JobState
from ms_ml.training.parts import Training

from .conftest import MODEL, OWNER, MakeTraining
from .helpers import follow, reranker_job, wait_for_state


async def test_a_job_trains_the_reranker_and_registers_a_version_with_its_held_out_metrics(
    training: Training, registry: Registry
) -> None:
    job = await training.use_cases.create(MODEL, reranker_job(), "first", OWNER)
    assert job.state == JobState.QUEUED
    entries, states = await follow(training.use_cases, job.name)

    done = states[-1]
    assert states[0].state in (JobState.QUEUED, JobState.RUNNING)
    assert done.state == JobState.SUCCEEDED, done.error_message
    assert done.model_version == f"{MODEL}/versions/1"
    assert done.metrics["mrr_at_10"] > done.metrics["baseline_mrr_at_10"]
    assert done.metrics["ndcg_at_10"] > done.metrics["baseline_ndcg_at_10"]
    version = await registry.get_version(done.model_version)
    assert version.training_job == job.name
    assert version.format == "linear-reranker-json"
    assert version.metrics["mrr_at_10"] == pytest.approx(done.metrics["mrr_at_10"])
    assert version.params == {"epochs": "50"}

    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
    lines = [e.line for e in entries if e.line is not None]
    assert lines[0].startswith("attempt 1 on test-host: limits 600s wall clock")
    assert any(line.startswith("held out (78 questions): MRR@10") for line in lines)
    assert lines[-1].startswith(f"registered {MODEL}/versions/1")
    assert [e.step for e in entries if e.metric == "loss"][:3] == [2, 4, 6]


async def test_cancel_stops_the_running_process_and_registers_nothing(
    training: Training, registry: Registry
) -> None:
    job = await training.use_cases.create(MODEL, reranker_job(epochs="5000"), "", OWNER)
    running = await wait_for_state(training.use_cases, job.name, JobState.RUNNING)
    while not running.pid:
        running = await training.use_cases.get(job.name)
    cancelled = await training.use_cases.cancel(job.name)

    assert cancelled.state == JobState.CANCELLED
    assert cancelled.end_time is not None and not cancelled.model_version
    with pytest.raises(ProcessLookupError):
        os.kill(running.pid, 0)
    assert (await registry.list_versions(MODEL, 0, 0, "")).items == []
    entries, _ = await follow(training.use_cases, job.name)
    assert entries[-1].line == "cancelled: its process was stopped"


async def test_a_queued_job_is_cancelled_before_it_runs(make_training: MakeTraining) -> None:
    training = make_training(start=False)
    job = await training.use_cases.create(MODEL, reranker_job(), "", OWNER)
    cancelled = await training.use_cases.cancel(job.name)
    assert cancelled.state == JobState.CANCELLED
    assert cancelled.start_time is None


async def test_a_job_past_its_time_limit_is_stopped_and_failed(training: Training) -> None:
    request = replace(reranker_job(), timeout_seconds=1)
    job = await training.use_cases.create(MODEL, request, "", OWNER)
    _, states = await follow(training.use_cases, job.name)
    assert states[-1].state == JobState.FAILED
    assert states[-1].error_message == "ran past its time limit of 1s and was stopped"


async def test_a_job_with_too_little_memory_fails_saying_so(training: Training) -> None:
    request = replace(reranker_job(), memory_bytes=256 * 1024**2)
    job = await training.use_cases.create(MODEL, request, "", OWNER)
    _, states = await follow(training.use_cases, job.name)
    assert states[-1].state == JobState.FAILED
    assert "memory" in states[-1].error_message.lower(), states[-1].error_message


async def test_a_cancel_asked_of_another_instance_stops_the_job_where_it_runs(
    make_training: MakeTraining, registry: Registry
) -> None:
    make_training()  # the instance that runs it
    other = make_training(start=False)
    job = await other.use_cases.create(MODEL, reranker_job(epochs="5000"), "", OWNER)
    running = await wait_for_state(other.use_cases, job.name, JobState.RUNNING)
    while not running.pid:
        running = await other.use_cases.get(job.name)

    cancelled = await other.use_cases.cancel(job.name)

    assert cancelled.state == JobState.CANCELLED
    with pytest.raises(ProcessLookupError):
        os.kill(running.pid, 0)
    assert (await registry.list_versions(MODEL, 0, 0, "")).items == []
