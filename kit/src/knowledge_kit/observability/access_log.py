"""The one log line per RPC, rendered by the configured structlog renderer without the bound
logger's dispatch (the line's fields are fixed, safe and passed explicitly), and written once
per event-loop iteration: under load one write and flush carry many RPCs' lines."""

from __future__ import annotations

import asyncio
import atexit
import sys
from typing import Any, TextIO

import structlog


class _Output:
    """The stream log lines go to; swappable, because structlog caches loggers on first use."""

    def __init__(self) -> None:
        self.stream: TextIO = sys.stdout

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


output = _Output()


class _LineWriter:
    def __init__(self) -> None:
        self._pending: list[str] = []
        atexit.register(self.flush)

    def write(self, line: str) -> None:
        self._pending.append(line)
        if len(self._pending) == 1:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no event loop: write at once
                self.flush()

    def flush(self) -> None:
        lines, self._pending = self._pending, []
        if lines:
            output.write("\n".join(lines) + "\n")
            output.flush()


_writer = _LineWriter()


class AccessLog:
    """Writes `{"event": "rpc", ...fields, "service", "level", "timestamp"}` lines."""

    def __init__(
        self,
        service: str,
        *,
        enabled: bool,
        timestamp: structlog.typing.Processor,
        renderer: structlog.typing.Processor,
    ) -> None:
        self._service = service
        self._enabled = enabled
        self._timestamp = timestamp
        self._renderer = renderer

    def rpc(self, **fields: Any) -> None:
        """Log one finished RPC."""
        if not self._enabled:
            return
        event = {"event": "rpc", **fields, "service": self._service, "level": "info"}
        self._timestamp(None, "info", event)
        _writer.write(str(self._renderer(None, "info", event)))


_access_log = AccessLog(
    "",
    enabled=True,
    timestamp=structlog.processors.TimeStamper(fmt="iso", utc=True),
    renderer=structlog.dev.ConsoleRenderer(),
)


def configure_access_log(
    service: str,
    *,
    enabled: bool,
    timestamp: structlog.typing.Processor,
    renderer: structlog.typing.Processor,
) -> None:
    """Called by `configure_logging`: same service, level, clock and renderer as other lines."""
    global _access_log
    _access_log = AccessLog(service, enabled=enabled, timestamp=timestamp, renderer=renderer)


def access_log() -> AccessLog:
    """The access log `LogRpc` writes to."""
    return _access_log
