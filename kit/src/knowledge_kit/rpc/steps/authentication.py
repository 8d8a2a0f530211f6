"""Authenticate: the caller's bearer token becomes `call.principal` and `current_principal()`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from knowledge_kit.auth.principal import set_current_principal
from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.errors import UnauthenticatedError
from knowledge_kit.rpc.call import RpcCall
from knowledge_kit.rpc.pipeline import Proceed


class Authenticate:
    """Refuses calls without a valid token, except to `public_methods` (`/pkg.Service/Method`),
    which run with no principal when no token is sent."""

    def __init__(self, verifier: TokenVerifier, public_methods: Iterable[str] = ()) -> None:
        self._verifier = verifier
        self._public = frozenset(public_methods)

    async def __call__(self, call: RpcCall, proceed: Proceed) -> Any:
        authorization = call.metadata.get("authorization")
        if authorization is None:
            if call.method in self._public:
                return await proceed(call)
            raise UnauthenticatedError("missing bearer token in 'authorization' metadata")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise UnauthenticatedError("'authorization' metadata must be 'Bearer <token>'")
        principal = await self._verifier.verify(token.strip())
        call.principal = principal
        set_current_principal(principal)
        return await proceed(call)
