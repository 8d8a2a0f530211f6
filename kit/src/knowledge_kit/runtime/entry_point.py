"""`python -m <service>`: serve until SIGTERM; a service that cannot start says why in one line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from knowledge_kit.events.kafka import KafkaUnavailable
from knowledge_kit.runtime.allocator import return_freed_memory
from knowledge_kit.settings import SettingsError

# Failures an operator fixes outside the code (a variable, a broker, credentials): their message
# is the whole story, so a traceback would only bury it.
START_FAILURES = (SettingsError, KafkaUnavailable)


def run_service_process(service: str, serve: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `serve()` to the end, in a process that gives memory it freed back to the system;
    exit non-zero with one line naming `service` when it cannot start for a reason in
    START_FAILURES."""
    return_freed_memory()
    try:
        asyncio.run(serve())
    except START_FAILURES as error:
        sys.exit(f"{service}: {error}")
    except BaseExceptionGroup as group:
        matched, rest = group.split(START_FAILURES)
        if matched is None or rest is not None:
            raise
        sys.exit(f"{service}: " + "; ".join(str(error) for error in _leaves(matched)))


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    leaves: list[BaseException] = []
    for error in group.exceptions:
        leaves.extend(_leaves(error) if isinstance(error, BaseExceptionGroup) else [error])
    return leaves
