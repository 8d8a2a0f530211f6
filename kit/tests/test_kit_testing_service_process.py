"""The testing package's service process: a service started as `python -m`, asked whether it
serves and stopped on SIGTERM; one that cannot start fails the test at once with its output."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from knowledge_kit.testing.service_process import ServiceProcess

KIT_ROOT = Path(__file__).parent.parent
SAMPLE = "tests.runtime_service_process"


async def test_a_started_service_serves_and_exits_cleanly_on_sigterm(
    start_service_process: Callable[..., Awaitable[ServiceProcess]], sqlite_database_url: str
) -> None:
    service = await start_service_process(
        SAMPLE, {"DATABASE_URL": sqlite_database_url}, prefix="MS_SAMPLE_", cwd=KIT_ROOT
    )
    await service.serving()
    output = await service.stop_on_sigterm()

    assert service.process.returncode == 0
    assert "service_stopped" in output


async def test_a_service_that_exits_before_serving_fails_with_its_exit_code_and_output(
    start_service_process: Callable[..., Awaitable[ServiceProcess]], sqlite_database_url: str
) -> None:
    service = await start_service_process(
        SAMPLE,
        {"DATABASE_URL": sqlite_database_url, "GRPC_PROT": "1"},
        prefix="MS_SAMPLE_",
        cwd=KIT_ROOT,
    )
    with pytest.raises(AssertionError) as failure:
        await service.serving()

    assert f"{SAMPLE} exited with 1 before it served" in str(failure.value)
    assert "MS_SAMPLE_GRPC_PROT: is not a setting of this service" in str(failure.value)


async def test_a_service_asked_for_a_health_it_does_not_serve_fails_naming_the_answer(
    start_service_process: Callable[..., Awaitable[ServiceProcess]], sqlite_database_url: str
) -> None:
    service = await start_service_process(
        SAMPLE, {"DATABASE_URL": sqlite_database_url}, prefix="MS_SAMPLE_", cwd=KIT_ROOT
    )
    with pytest.raises(AssertionError) as failure:
        await service.serving("kit.test.Unknown", within_seconds=30)

    assert "did not answer its health check" in str(failure.value)
    assert "NOT_FOUND" in str(failure.value)
    await service.stop_on_sigterm()
