"""LogRpc: one JSON line per RPC with method, status, duration, request id and trace id."""

from __future__ import annotations

import time
from typing import Any

from knowledge_kit.observability.access_log import access_log
from knowledge_kit.rpc.call import OK, STATUS_NAMES, RpcCall
from knowledge_kit.rpc.pipeline import Proceed


class LogRpc:
    """Logs the outcome of every RPC (the handler's own lines get the request id from
    `configure_logging`'s processors). Never logs metadata or messages, so tokens and payloads
    stay out of logs."""

    async def __call__(self, call: RpcCall, proceed: Proceed) -> Any:
        started = time.perf_counter()
        try:
            return await proceed(call)
        finally:
            principal = call.principal
            code = call.status
            access_log().rpc(
                call.method,
                "OK" if code is OK else STATUS_NAMES[code],
                time.perf_counter() - started,
                call.request_id,
                call.trace_id,
                principal.name if principal is not None else None,
            )
