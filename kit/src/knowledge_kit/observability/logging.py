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


def configure_logging(
    service_name: str, *, level: str = "INFO", json: bool = True, stream: TextIO | None = None
) -> None:
    """Route structlog (and stdlib logging) to `stream` as JSON lines tagged with the service."""
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
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service_name)
    logging.basicConfig(level=level, stream=stream or sys.stdout, format="%(message)s", force=True)
