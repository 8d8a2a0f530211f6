"""The service as it runs in production: `python -m ms_vector` serves, then stops on SIGTERM."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from knowledge_kit.testing.service_process import ServiceProcess


async def test_the_service_starts_answers_health_checks_and_stops_on_sigterm(
    start_service_process: Callable[..., Awaitable[ServiceProcess]],
    tmp_path: Path,
    sqlite_database_url: str,
    kafka_bootstrap: str,
) -> None:
    service = await start_service_process(
        "ms_vector",
        {
            "DATABASE_URL": sqlite_database_url,
            "KAFKA_BOOTSTRAP": kafka_bootstrap,
            "INDEX_PATH": str(tmp_path / "index.npz"),
        },
    )
    await service.serving()
    await service.stop_on_sigterm()
