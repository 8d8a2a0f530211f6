"""The pytest plugin: infrastructure fixtures fail loudly when missing, and isolate each test."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from knowledge_kit.database import create_database_engine
from knowledge_kit.testing import KAFKA_BOOTSTRAP_ENV, POSTGRES_URL_ENV


def test_a_test_needing_missing_infrastructure_fails_saying_how_to_provide_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_needs_both.py").write_text(
        "def test_postgres(postgres_url):\n    pass\n\ndef test_kafka(kafka_bootstrap):\n    pass\n"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in (POSTGRES_URL_ENV, KAFKA_BOOTSTRAP_ENV, "PYTEST_XDIST_WORKER")
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "2 errors" in result.stdout and "skipped" not in result.stdout
    assert f"PostgreSQL was not provisioned ({POSTGRES_URL_ENV} is unset)" in result.stdout
    assert f"Kafka was not provisioned ({KAFKA_BOOTSTRAP_ENV} is unset)" in result.stdout


async def test_each_test_gets_its_own_empty_postgres_database(postgres_database_url: str) -> None:
    engine = create_database_engine(postgres_database_url)
    async with engine.begin() as connection:
        tables = await connection.execute(
            text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        )
        assert tables.scalar_one() == 0
        await connection.execute(text("CREATE TABLE only_mine (id int)"))
    await engine.dispose()


def test_topic_names_are_unique_per_call(unique_topic: Callable[[str], str]) -> None:
    names = {unique_topic("documents") for _ in range(50)}
    assert len(names) == 50 and all(name.startswith("documents.") for name in names)
