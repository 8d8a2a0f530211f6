"""The one log line per RPC, put together from parts worked out once and written at once.

The JSON line is assembled from the line's opening per method and a principal's name as JSON,
both kept, instead of a dict rendered by orjson. It is written when the RPC ends: writing the
lines of an event-loop iteration together, after it, cost a scheduled callback per iteration,
yet grpc.aio's server ends about one RPC per iteration (1.03-1.07 lines per write at 16 and 64
in flight), so nearly every line paid for the callback and still had a write of its own.
"""

from __future__ import annotations

import codecs
import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

import orjson
import structlog


class _Output:
    """The stream log lines go to; swappable, because structlog caches loggers on first use.

    Every line is flushed as it is written, so nothing waits in the stream's buffer and the
    access log may write its lines to the stream's file descriptor itself (`fd`, None for a
    stream without one or not in UTF-8): a system call, without the text and buffer layers'
    work per line (a third of the line's cost when it went through them).
    """

    def __init__(self) -> None:
        self.fd: int | None = None
        self.stream = sys.stdout

    @property
    def stream(self) -> TextIO:
        return self._stream

    @stream.setter
    def stream(self, stream: TextIO) -> None:
        self._stream = stream
        self.fd = _utf8_descriptor(stream)

    def write(self, text: str) -> int:
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()


def _utf8_descriptor(stream: TextIO) -> int | None:
    try:
        fd = stream.fileno()
        encoding = codecs.lookup(stream.encoding).name
    except (AttributeError, OSError, LookupError, TypeError, ValueError):
        return None  # io.UnsupportedOperation is an OSError and a ValueError
    return fd if encoding == "utf-8" else None


output = _Output()

Render = Callable[[structlog.typing.EventDict], str]

_MAX_NAMES = 4096
"""Principals' names kept rendered as JSON; forgotten all at once beyond this many."""


class _UtcClock:
    """The wall clock as ISO-8601 UTC with microseconds; the date and time part formatted once
    per second, for the second that `start` <= the time < `end`."""

    def __init__(self) -> None:
        self.start = self.end = 0.0
        self.prefix = ""

    def turn(self, wall: float) -> None:
        """Move to the second `wall` falls in."""
        second = int(wall)
        self.start, self.end = float(second), float(second + 1)
        self.prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))

    def now(self) -> str:
        wall = time.time()
        if not self.start <= wall < self.end:
            self.turn(wall)
        return f"{self.prefix}.{int((wall - self.start) * 1_000_000):06d}Z"


_LINE = '%s%s","duration_ms":%.3f,"request_id":"%s","trace_id":"%s","principal":%s,%s%s.%06dZ"}\n'
"""The JSON line after its opening (`{"event":"rpc","method":...,"status":"`): one %-format
costs less than an f-string formatting each part, and its %d truncates the microseconds as
int() would without a call of its own."""
_LINE_ESCAPED_ID = _LINE.replace('"request_id":"%s"', '"request_id":%s')
"""`_LINE` for a request id that needs escaping, given as its JSON string."""


def _json(text: str) -> str:
    return orjson.dumps(text).decode()


class AccessLog:
    """Writes `{"event": "rpc", "method", "status", "duration_ms", "request_id", "trace_id",
    "principal", "service", "level", "timestamp"}` lines; `render` None writes them as JSON,
    otherwise `render` renders each line's dict (the console renderer)."""

    def __init__(self, service: str, *, enabled: bool, render: Render | None) -> None:
        self._service = service
        self._enabled = enabled
        self._render = render
        self._clock = _UtcClock()
        self._openings: dict[str, str] = {}
        self._names: dict[str | None, str] = {None: "null"}
        self._closing = f'"service":{_json(service)},"level":"info","timestamp":"'

    def rpc(
        self,
        method: str,
        status: str,
        seconds: float,
        request_id: str,
        trace_id: str,
        principal: str | None,
    ) -> None:
        """Log one finished RPC, which took `seconds`."""
        if not self._enabled:
            return
        if self._render is not None:
            self._write_rendered(
                {
                    "event": "rpc",
                    "method": method,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "request_id": request_id,
                    "trace_id": trace_id,
                    "principal": principal,
                    "service": self._service,
                    "level": "info",
                    "timestamp": self._clock.now(),
                }
            )
            return
        opening = self._openings.get(method)
        if opening is None:
            opening = self._openings[method] = (
                f'{{"event":"rpc","method":{_json(method)},"status":"'
            )
        names = self._names
        name = names.get(principal)
        if name is None:
            if len(names) > _MAX_NAMES:
                names.clear()
                names[None] = "null"
            name = names[principal] = _json(principal)  # type: ignore[arg-type]
        # Ids the kit made are hex; one a client sent is escaped like any other text.
        if request_id.isalnum():
            line = _LINE
        else:
            line, request_id = _LINE_ESCAPED_ID, _json(request_id)
        wall = time.time()
        clock = self._clock
        if not clock.start <= wall < clock.end:
            clock.turn(wall)
        text = line % (
            opening,
            status,
            seconds * 1000,
            request_id,
            trace_id,
            name,
            self._closing,
            clock.prefix,
            (wall - clock.start) * 1_000_000,
        )
        # Written at once, here rather than in a method of `output`: a frame fewer per RPC.
        fd = output.fd
        if fd is None:
            output.write(text)
            output.flush()
            return
        data = text.encode()
        written = os.write(fd, data)
        while written < len(data):  # a signal cut the write short
            data = data[written:]
            written = os.write(fd, data)

    def _write_rendered(self, event: structlog.typing.EventDict) -> None:
        assert self._render is not None
        output.write(self._render(event) + "\n")
        output.flush()


def rendered_by(renderer: structlog.typing.Processor) -> Render:
    """A structlog renderer as a `Render`."""

    def render(event: structlog.typing.EventDict) -> str:
        return str(renderer(None, "info", event))

    return render


_access_log = AccessLog("", enabled=True, render=rendered_by(structlog.dev.ConsoleRenderer()))


def configure_access_log(service: str, *, enabled: bool, render: Render | None) -> None:
    """Called by `configure_logging`: same service, level and rendering as other lines (`render`
    None for its JSON lines)."""
    global _access_log
    _access_log = AccessLog(service, enabled=enabled, render=render)


def access_log() -> AccessLog:
    """The access log `ObserveRpc` and `LogRpc` write to."""
    return _access_log
