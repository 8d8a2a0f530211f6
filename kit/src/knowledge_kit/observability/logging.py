"""structlog configured for one JSON object per line, with the request's context merged in."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

# Keys whose values must never reach a log line, whatever a handler passes.
SECRET_KEYS = frozenset({"authorization", "token", "password", "secret", "access_token"})


def _redact_secrets(
    _logger: object, _method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    for key in SECRET_KEYS.intersection(event):
        event[key] = "[redacted]"
    return event


class _Output:
    """The stream log lines go to; swappable, because structlog caches loggers on first use."""

    def __init__(self) -> None:
        self.stream: TextIO = sys.stdout

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


_output = _Output()


def configure_logging(
    service_name: str, *, level: str = "INFO", json: bool = True, stream: TextIO | None = None
) -> None:
    """Route structlog (and stdlib logging) to `stream` as JSON lines tagged with the service."""
    _output.stream = stream or sys.stdout
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        logger_factory=structlog.PrintLoggerFactory(_output),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service_name)
    _route_standard_logging(renderer, level)


def _route_standard_logging(renderer: structlog.typing.Processor, level: str) -> None:
    """Libraries' stdlib log records become the same JSON lines."""
    handler = logging.StreamHandler(_output)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=renderer,
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # One line per JWKS fetch is noise; failures still surface as warnings.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
