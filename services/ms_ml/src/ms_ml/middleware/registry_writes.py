"""Who may change the registry: administrators and service accounts (a training job's, the
platform's own); anyone authenticated may read it and call Predict and Embed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from knowledge_kit.errors import PermissionDeniedError
from knowledge_kit.rpc import Proceed, RpcCall

ADMIN_ROLE = "admin"


class RequireRegistryWriter:
    """An RPC step: the methods in `writes` need the admin role or a service account."""

    def __init__(self, writes: Iterable[str]) -> None:
        self._writes = frozenset(writes)

    async def __call__(self, call: RpcCall, proceed: Proceed) -> Any:
        if call.method in self._writes:
            principal = call.principal
            if principal is None or not (
                principal.has_role(ADMIN_ROLE) or principal.is_service_account
            ):
                raise PermissionDeniedError(
                    f"{call.method} changes the model registry: it needs the '{ADMIN_ROLE}' "
                    "role or a service account"
                )
        return await proceed(call)
