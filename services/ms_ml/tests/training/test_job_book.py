"""A job's ending line is written with its ending: a stream that sees the job end has read its
last line, and a move that did not happen leaves no line behind."""

from __future__ import annotations

import asyncio

from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.training.book import JobBook
from ms_ml.training.jobs import JobState
from ms_ml.training.signals import JobSignals

from .conftest import MODEL, OWNER, MakeTraining
from .helpers import follow, reranker_job


async def test_a_move_logs_its_note_with_the_state_and_a_refused_move_logs_nothing(
    make_training: MakeTraining, sessions: async_sessionmaker[AsyncSession]
) -> None:
    use_cases = make_training(start=False).use_cases
    job = await use_cases.create(MODEL, reranker_job(), "", OWNER)
    book = JobBook(sessions, Outbox("ms_ml"), JobSignals())

    refused = await book.move(job.name, [JobState.RUNNING], JobState.FAILED, "failed: never ran")
    assert refused is None
    moved = await book.move(job.name, [JobState.QUEUED], JobState.CANCELLED, "cancelled: asked")
    assert moved is not None and moved.state == JobState.CANCELLED

    entries, states = await follow(use_cases, job.name)
    assert [e.line for e in entries] == ["cancelled: asked"]
    assert [s.state for s in states] == [JobState.CANCELLED]


async def test_two_moves_at_once_end_the_job_once_with_one_line(
    make_training: MakeTraining, sessions: async_sessionmaker[AsyncSession]
) -> None:
    use_cases = make_training(start=False).use_cases
    job = await use_cases.create(MODEL, reranker_job(), "", OWNER)
    book = JobBook(sessions, Outbox("ms_ml"), JobSignals())

    moves = await asyncio.gather(
        book.move(job.name, [JobState.QUEUED], JobState.CANCELLED, "cancelled: asked"),
        book.move(job.name, [JobState.QUEUED], JobState.FAILED, "failed: gave up"),
    )
    [won] = [move for move in moves if move is not None]
    entries, states = await follow(use_cases, job.name)
    expected = "cancelled: asked" if won.state == JobState.CANCELLED else "failed: gave up"
    assert [e.line for e in entries] == [expected]
    assert [s.state for s in states] == [won.state]
