"""The RPC being handled, as the interceptor steps and outgoing calls see it."""

from __future__ import annotations

import random
import time
from contextvars import ContextVar
from typing import Any

import grpc

from knowledge_kit.auth.principal import Principal

REQUEST_ID_KEY = "x-request-id"


class RpcCall:
    """One incoming RPC: method, request (or request stream), context, and what steps learn."""

    __slots__ = (
        "_metadata",
        "context",
        "deadline",
        "method",
        "principal",
        "request",
        "request_id",
        "status",
        "trace_id",
    )

    def __init__(self, method: str, request: Any, context: grpc.aio.ServicerContext[Any, Any]):
        self.method = method
        self.request = request
        self.context = context
        self.principal: Principal | None = None
        self.status = grpc.StatusCode.OK
        self.trace_id = ""
        self._metadata: dict[str, str] | None = None
        # Request ids correlate log lines; they need to be unique, not unpredictable, and
        # getrandbits avoids a system call per RPC that uuid4 makes.
        self.request_id = self.metadata.get(REQUEST_ID_KEY) or f"{random.getrandbits(64):016x}"
        remaining = context.time_remaining()
        self.deadline = time.monotonic() + remaining if remaining is not None else None

    @property
    def metadata(self) -> dict[str, str]:
        """Text metadata the client sent (binary `-bin` entries are left out)."""
        if self._metadata is None:
            self._metadata = {
                key: value
                for key, value in (self.context.invocation_metadata() or ())
                if isinstance(value, str)
            }
        return self._metadata


_current_call: ContextVar[RpcCall | None] = ContextVar("knowledge_rpc_call", default=None)


def current_call() -> RpcCall | None:
    """The RPC the current task is handling, if any (outgoing calls inherit its token/deadline)."""
    return _current_call.get()


def set_current_call(call: RpcCall) -> None:
    """Bind `call` to the current task."""
    _current_call.set(call)
