"""LogRpc: one JSON line per RPC with method, status, duration, request id and trace id."""

from __future__ import annotations

import time
from typing import Any

import structlog
from structlog.contextvars import bind_contextvars

from knowledge_kit.rpc.call import RpcCall
from knowledge_kit.rpc.pipeline import Proceed

_log = structlog.get_logger("knowledge_kit.rpc")


class LogRpc:
    """Binds the request id for the handler's own log lines, then logs the outcome. Never logs
    metadata or messages, so tokens and payloads stay out of logs."""

    async def __call__(self, call: RpcCall, proceed: Proceed) -> Any:
        bind_contextvars(request_id=call.request_id)
        started = time.perf_counter()
        try:
            return await proceed(call)
        finally:
            _log.info(
                "rpc",
                method=call.method,
                status=call.status.name,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                request_id=call.request_id,
                trace_id=call.trace_id,
                principal=call.principal.name if call.principal else None,
            )
