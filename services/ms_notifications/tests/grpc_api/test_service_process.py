"""The service as it runs in production: `python -m ms_notifications` serves, then stops on SIGTERM."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from knowledge_kit.testing.service_process import ServiceProcess


async def test_the_service_starts_answers_health_checks_and_stops_on_sigterm(
    start_service_process: Callable[..., Awaitable[ServiceProcess]],
    sqlite_database_url: str,
    kafka_bootstrap: str,
) -> None:
    service = await start_service_process(
        "ms_notifications",
        {"DATABASE_URL": sqlite_database_url, "KAFKA_BOOTSTRAP": kafka_bootstrap},
    )
    await service.serving()
    await service.stop_on_sigterm()
