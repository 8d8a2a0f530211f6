"""The one log line per RPC, rendered by the configured structlog renderer without the bound
logger's dispatch (the line's fields are fixed, safe and passed explicitly), and written once
per event-loop iteration: under load one write and flush carry many RPCs' lines."""

from __future__ import annotations

import asyncio
import atexit
import sys
from collections.abc import Callable
from typing import TextIO

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


Render = Callable[[structlog.typing.EventDict], str]


class AccessLog:
    """Writes `{"event": "rpc", ...fields, "service", "level", "timestamp"}` lines."""

    def __init__(
        self,
        service: str,
        *,
        enabled: bool,
        timestamp: structlog.typing.Processor,
        render: Render,
    ) -> None:
        self._service = service
        self._enabled = enabled
        self._timestamp = timestamp
        self._render = render

    def rpc(
        self,
        method: str,
        status: str,
        duration_ms: float,
        request_id: str,
        trace_id: str,
        principal: str | None,
    ) -> None:
        """Log one finished RPC."""
        if not self._enabled:
            return
        event = {
            "event": "rpc",
            "method": method,
            "status": status,
            "duration_ms": duration_ms,
            "request_id": request_id,
            "trace_id": trace_id,
            "principal": principal,
            "service": self._service,
            "level": "info",
        }
        self._timestamp(None, "info", event)
        _writer.write(self._render(event))


def rendered_by(renderer: structlog.typing.Processor) -> Render:
    """A structlog renderer as a `Render`."""

    def render(event: structlog.typing.EventDict) -> str:
        return str(renderer(None, "info", event))

    return render


_access_log = AccessLog(
    "",
    enabled=True,
    timestamp=structlog.processors.TimeStamper(fmt="iso", utc=True),
    render=rendered_by(structlog.dev.ConsoleRenderer()),
)


def configure_access_log(
    service: str,
    *,
    enabled: bool,
    timestamp: structlog.typing.Processor,
    render: Render,
) -> None:
    """Called by `configure_logging`: same service, level, clock and rendering as other lines
    (`render` may skip the structlog renderer's frame when it renders the same line)."""
    global _access_log
    _access_log = AccessLog(service, enabled=enabled, timestamp=timestamp, render=render)


def access_log() -> AccessLog:
    """The access log `LogRpc` writes to."""
    return _access_log
