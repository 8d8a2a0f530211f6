"""`run_service_process`: a service that cannot start exits with one line, not a traceback."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from knowledge_kit.events.kafka import KafkaUnavailable
from knowledge_kit.runtime import run_service_process
from knowledge_kit.settings import SettingsError


def _failing(error: BaseException) -> Callable[[], Coroutine[Any, Any, None]]:
    async def serve() -> None:
        raise error

    return serve


@pytest.mark.parametrize(
    "error",
    [
        SettingsError("invalid Settings: MS_NOTES_GRPC_PROT: is not a setting"),
        KafkaUnavailable("cannot connect to Kafka at 127.0.0.1:1 over PLAINTEXT"),
    ],
)
def test_a_start_failure_exits_with_one_line_naming_the_service(error: Exception) -> None:
    with pytest.raises(SystemExit) as exited:
        run_service_process("ms_notes", _failing(error))

    assert exited.value.code == f"ms_notes: {error}"


def test_start_failures_raised_from_a_task_group_are_still_one_line() -> None:
    refused = KafkaUnavailable("cannot connect to Kafka at 127.0.0.1:1 over PLAINTEXT")
    group = ExceptionGroup("unhandled errors in a TaskGroup", [ExceptionGroup("inner", [refused])])

    with pytest.raises(SystemExit) as exited:
        run_service_process("ms_notes", _failing(group))

    assert exited.value.code == f"ms_notes: {refused}"


def test_any_other_failure_keeps_its_traceback() -> None:
    with pytest.raises(ExceptionGroup):
        run_service_process(
            "ms_notes",
            _failing(ExceptionGroup("mixed", [KafkaUnavailable("down"), RuntimeError("bug")])),
        )
    with pytest.raises(RuntimeError, match="bug"):
        run_service_process("ms_notes", _failing(RuntimeError("bug")))
