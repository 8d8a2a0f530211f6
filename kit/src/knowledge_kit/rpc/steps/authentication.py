"""Authenticate: the caller's bearer token becomes `call.principal` and `current_principal()`."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any

from knowledge_kit.auth.principal import Principal, set_current_principal
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

    def __call__(self, call: RpcCall, proceed: Proceed) -> Awaitable[Any]:
        authorization = call.metadata.get("authorization")
        if authorization is None:
            if call.method in self._public:
                return proceed(call)
            raise UnauthenticatedError("missing bearer token in 'authorization' metadata")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise UnauthenticatedError("'authorization' metadata must be 'Bearer <token>'")
        token = token.strip()
        # A token verified before needs no await: no coroutine of its own for this step.
        principal = self._verifier.cached(token)
        if principal is None:
            return self._verify_then_proceed(call, token, proceed)
        _authenticated(call, principal)
        return proceed(call)

    async def _verify_then_proceed(self, call: RpcCall, token: str, proceed: Proceed) -> Any:
        _authenticated(call, await self._verifier.verify(token))
        return await proceed(call)


def _authenticated(call: RpcCall, principal: Principal) -> None:
    call.principal = principal
    set_current_principal(principal)
