"""The RPC being handled, as the interceptor steps and outgoing calls see it."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import grpc

from knowledge_kit.auth.principal import Principal
from knowledge_kit.current import rpc_call as _rpc_call

REQUEST_ID_KEY = "x-request-id"

STATUS_NAMES: dict[grpc.StatusCode, str] = {code: code.name for code in grpc.StatusCode}
"""`code.name` without the enum's property lookup, for the per-RPC path."""

OK = grpc.StatusCode.OK
"""Compared by identity first (`"OK" if status is OK else STATUS_NAMES[status]`): a status code
hashes in Python (the enum's `__hash__`), a lookup in `STATUS_NAMES` costs a frame."""

_IDS_PER_BATCH = 1024
_fresh_ids: Iterator[str] = iter(())


def _more_request_ids() -> str:
    """A new batch of request ids, the first of them returned: 16 random hex digits each, as
    `random.getrandbits(64).to_bytes(8).hex()` makes one, but taken from one string of random
    digits made per batch (taking the next id costs a third of making one)."""
    global _fresh_ids
    digits = random.randbytes(8 * _IDS_PER_BATCH).hex()
    _fresh_ids = iter([digits[start : start + 16] for start in range(16, len(digits), 16)])
    return digits[:16]


def _forget_request_ids() -> None:
    # A process forked from this one makes ids of its own (`random` is seeded again there).
    global _fresh_ids
    _fresh_ids = iter(())


os.register_at_fork(after_in_child=_forget_request_ids)


_lookup: ContextVar[grpc.HandlerCallDetails | None] = ContextVar(
    "knowledge_rpc_lookup", default=None
)

note_lookup: Callable[[grpc.HandlerCallDetails], object] = _lookup.set
"""Keep the details grpc.aio looked a method up with (its name and the client's metadata) for
the RPC's `RpcCall`. grpc.aio looks the method up in the task that then runs its handler, one
task per RPC, and builds the metadata tuple anew (a named tuple per entry) both for the lookup
and for each `context.invocation_metadata()` call: taking the lookup's saves the second build,
7-8k of the ~500k instructions a small RPC costs the server."""


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
        # The metadata grpc.aio looked the method up with, when it was looked up in this task
        # for this method (see `note_lookup`); otherwise the context's.
        details = _lookup.get()
        invocation_metadata: Iterable[tuple[str, str | bytes]] | None
        if details is not None and details.method == method:
            invocation_metadata = details.invocation_metadata
        else:
            invocation_metadata = context.invocation_metadata()
        # Text metadata the client sent (binary `-bin` entries are left out); built here once,
        # since every call needs it for its request id. A loop, not a comprehension: one frame
        # fewer per RPC.
        metadata: dict[str, str] = {}
        for key, value in invocation_metadata or ():
            if type(value) is str:
                metadata[key] = value
        self.metadata = metadata
        # Request ids correlate log lines; they need to be unique, not unpredictable, and
        # `random` avoids a system call per RPC that uuid4 makes.
        self.request_id = (
            metadata.get(REQUEST_ID_KEY) or next(_fresh_ids, None) or _more_request_ids()
        )
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


def current_call() -> RpcCall | None:
    """The RPC the current task is handling, if any (outgoing calls inherit its token/deadline)."""
    return _rpc_call.get()


# The ContextVar's own setter: binding a call to the current task costs no Python frame per RPC.
set_current_call: Callable[[RpcCall], object] = _rpc_call.set
"""Bind a call to the current task."""
