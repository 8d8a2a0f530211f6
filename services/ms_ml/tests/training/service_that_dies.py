"""A service's training supervisor alone, in a process a test kills with SIGKILL mid-job:
`python service_that_dies.py DATABASE_URL WORK_DIR HOST`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from knowledge_kit.api import PageTokens
from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.events import Outbox

from ms_ml.training.config import TrainingConfig
from ms_ml.training.parts import training_parts


class _NeverReached:
    async def register_trained_version(self, **_: object) -> str:
        raise AssertionError("the test kills this process before its job ends")


async def main(url: str, work_dir: str, host: str) -> None:
    sessions = session_factory(create_database_engine(url, traced=False))
    config = TrainingConfig(work_dir=Path(work_dir), poll_seconds=0.2)
    training = training_parts(
        config, sessions, Outbox("ms_ml"), _NeverReached(), PageTokens(b"tests"), host=host
    )
    await training.supervisor.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
