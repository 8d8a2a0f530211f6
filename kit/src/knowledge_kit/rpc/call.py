"""The RPC being handled, as the interceptor steps and outgoing calls see it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import grpc

from knowledge_kit.auth.principal import Principal

REQUEST_ID_KEY = "x-request-id"

STATUS_NAMES: dict[grpc.StatusCode, str] = {code: code.name for code in grpc.StatusCode}
"""`code.name` without the enum's property lookup, for the per-RPC path."""

OK = grpc.StatusCode.OK
"""Compared by identity first (`"OK" if status is OK else STATUS_NAMES[status]`): a status code
hashes in Python (the enum's `__hash__`), a lookup in `STATUS_NAMES` costs a frame."""

_random_bits = random.getrandbits


class RpcCall:
    """One incoming RPC: method, request (or request stream), context, and what steps learn."""

    __slots__ = (
        "_deadline",
        "_deadline_read",
        "context",
        "metadata",
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
        self.status = OK
        self.trace_id = ""
        # Text metadata the client sent (binary `-bin` entries are left out); built here once,
        # since every call needs it for its request id.
        self.metadata: dict[str, str] = {
            key: value for key, value in (context.invocation_metadata() or ()) if type(value) is str
        }
        # Request ids correlate log lines; they need to be unique, not unpredictable, and
        # getrandbits avoids a system call per RPC that uuid4 makes. 16 hex digits, as
        # f"{bits:016x}" writes them at nearly twice the cost.
        self.request_id = self.metadata.get(REQUEST_ID_KEY) or _random_bits(64).to_bytes(8).hex()
        self._deadline: float | None = None
        self._deadline_read = False

    @property
    def deadline(self) -> float | None:
        """When the caller stops waiting (`time.monotonic()` clock); None without a deadline.
        Read on first use: most RPCs make no outgoing call that would need it."""
        if not self._deadline_read:
            remaining = self.context.time_remaining()
            self._deadline = time.monotonic() + remaining if remaining is not None else None
            self._deadline_read = True
        return self._deadline


_current_call: ContextVar[RpcCall | None] = ContextVar("knowledge_rpc_call", default=None)


def current_call() -> RpcCall | None:
    """The RPC the current task is handling, if any (outgoing calls inherit its token/deadline)."""
    return _current_call.get()


# The ContextVar's own setter: binding a call to the current task costs no Python frame per RPC.
set_current_call: Callable[[RpcCall], object] = _current_call.set
"""Bind a call to the current task."""
