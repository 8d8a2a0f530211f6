"""structlog configured for one JSON object per line, with the request's context merged in.

Tracebacks are rendered as plain text (never with frames' local variables, which hold tokens
and passwords) before redaction, so no format lets a secret through.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, TextIO

import orjson
import structlog

from knowledge_kit.current import rpc_call
from knowledge_kit.observability.access_log import configure_access_log, output, rendered_by
from knowledge_kit.observability.redaction import redact_secrets

_output = output


def _add_rpc_context(
    _logger: object, _method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """Tag lines logged while an RPC is handled with its request id (and trace id)."""
    call = rpc_call.get()
    if call is not None:
        event.setdefault("request_id", call.request_id)
        if call.trace_id:
            event.setdefault("trace_id", call.trace_id)
    return event


class _UtcTimestamp:
    """ISO-8601 UTC with microseconds; formats the date and time part once per second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(
        self, _logger: object, _method: str, event: structlog.typing.EventDict
    ) -> structlog.typing.EventDict:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        event["timestamp"] = f"{self._prefix}.{int((now - second) * 1_000_000):06d}Z"
        return event


def _json_line(event: structlog.typing.EventDict, **_options: Any) -> str:
    return orjson.dumps(event, default=repr).decode()


def configure_logging(
    service_name: str, *, level: str = "INFO", json: bool = True, stream: TextIO | None = None
) -> None:
    """Route structlog (and stdlib logging) to `stream` as JSON lines tagged with the service."""
    _output.stream = stream or sys.stdout
    level_number = logging.getLevelNamesMapping()[level]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line)
        if json
        # plain_traceback, not rich's default, which prints each frame's local variables.
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _add_rpc_context,
            structlog.processors.add_log_level,
            _UtcTimestamp(),
            structlog.processors.format_exc_info,
            redact_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level_number),
        logger_factory=structlog.PrintLoggerFactory(_output),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service_name)
    configure_access_log(
        service_name,
        enabled=level_number <= logging.INFO,
        # JSON lines as the renderer's, put together without it.
        render=None if json else rendered_by(renderer),
    )
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
                _UtcTimestamp(),
                structlog.processors.format_exc_info,
                redact_secrets,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # One line per JWKS fetch is noise; failures still surface as warnings.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))


def _plain_defaults() -> None:
    """structlog's own defaults, in force until configure_logging runs (scripts, tests), render
    tracebacks with rich, showing every frame's local variables: the same lines, plain and
    redacted, instead."""
    if structlog.is_configured():
        return
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.StackInfoRenderer(),
            structlog.dev.set_exc_info,
            structlog.processors.TimeStamper(fmt="%Y-%m-%d %H:%M:%S", utc=False),
            structlog.processors.format_exc_info,
            redact_secrets,
            structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback),
        ]
    )


# On import: the kit's server, client and runtime import this module, so no process serving or
# calling RPCs through the kit keeps structlog's defaults.
_plain_defaults()
