"""Only callers granted the writer role may change data; anyone authenticated may read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from knowledge_kit.errors import PermissionDeniedError
from knowledge_kit.rpc import Proceed, RpcCall

WRITER_ROLE = "writer"


class RequireWriterRole:
    """An RPC step: the methods in `writes` need a token granting `role`."""

    def __init__(self, writes: Iterable[str], role: str = WRITER_ROLE) -> None:
        self._writes = frozenset(writes)
        self._role = role

    async def __call__(self, call: RpcCall, proceed: Proceed) -> Any:
        if call.method in self._writes and (
            call.principal is None or not call.principal.has_role(self._role)
        ):
            raise PermissionDeniedError(f"{call.method} needs the '{self._role}' role")
        return await proceed(call)
