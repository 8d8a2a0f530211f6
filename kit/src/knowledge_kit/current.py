"""What the current task is handling, in context variables: the RPC's call, and a principal bound
to the task by an entry point that has no call (a WebSocket connection).

In a module of their own so that `auth` reads the RPC's principal from its call, and `rpc` binds
the call, without either importing the other.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge_kit.auth.principal import Principal
    from knowledge_kit.rpc.call import RpcCall

rpc_call: ContextVar[RpcCall | None] = ContextVar("knowledge_rpc_call", default=None)
"""The RPC the current task is handling; set by the pipeline as each RPC begins."""

bound_principal: ContextVar[Principal | None] = ContextVar("knowledge_principal", default=None)
"""The principal bound to the current task by an entry point other than an RPC."""
