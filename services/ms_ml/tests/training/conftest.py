"""Training jobs on the test database, with the registry's real registration: a supervisor
running real job processes in the background, stopped after the test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio
from knowledge_kit.api import PageTokens
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.main import MlParts
from ms_ml.service.registry import ModelFields, Registry
from ms_ml.training.config import TrainingConfig
from ms_ml.training.parts import Training, training_parts

MODEL = "models/reranker"
OWNER = "users/alice"
HOST = "test-host"


@pytest.fixture
def registry(ml: MlParts) -> Registry:
    return ml.registry


@pytest.fixture
def training_config(tmp_path: Path) -> TrainingConfig:
    return TrainingConfig(work_dir=tmp_path / "training", poll_seconds=0.2, stop_grace_seconds=2)


MakeTraining = Callable[..., Training]


@pytest_asyncio.fixture
async def make_training(
    sessions: async_sessionmaker[AsyncSession],
    registry: Registry,
    ml: MlParts,
    training_config: TrainingConfig,
) -> AsyncIterator[MakeTraining]:
    """`make_training(on_restart=...)`: training parts whose supervisor runs until the test ends."""
    await registry.create_model("reranker", ModelFields(task="reranking"), OWNER)
    running: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    def make(start: bool = True, **changes: object) -> Training:
        config = replace(training_config, **changes)  # type: ignore[arg-type]
        training = training_parts(
            config, sessions, Outbox("ms_ml"), ml.registration, PageTokens(b"tests"), host=HOST
        )
        if start:
            stop = asyncio.Event()
            running.append((stop, asyncio.create_task(training.supervisor.run(stop))))
        return training

    yield make
    for stop, task in running:
        stop.set()
        await asyncio.wait_for(task, 30)


@pytest_asyncio.fixture
async def training(make_training: MakeTraining) -> Training:
    return make_training()
