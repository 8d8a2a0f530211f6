"""Authenticate: the caller's bearer token becomes `call.principal`, which `current_principal()`
returns while the RPC is handled."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any

from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.errors import UnauthenticatedError
from knowledge_kit.rpc.call import RpcCall
from knowledge_kit.rpc.pipeline import BindingStep, Proceed

_MAX_HEADERS = 4096
"""`authorization` values kept with their verified token; forgotten all at once beyond this
many."""


class Authenticate(BindingStep):
    """Refuses calls without a valid token, except to `public_methods` (`/pkg.Service/Method`),
    which run with no principal when no token is sent."""

    def __init__(self, verifier: TokenVerifier, public_methods: Iterable[str] = ()) -> None:
        self._verifier = verifier
        self._public = frozenset(public_methods)
        # The token of each `authorization` value whose token verified, taken apart once: a
        # client sends the same value RPC after RPC, and the token kept is the same string each
        # time, so the verifier's cache finds it without hashing its hundreds of characters
        # again. A refused value is not kept: a caller without a valid token pins no memory.
        self._tokens: dict[str, str] = {}

    def bind(self, proceed: Proceed) -> Proceed:
        public, tokens, cached = self._public, self._tokens, self._verifier.cached
        verify_then_proceed = self._verify_then_proceed

        def authenticate(call: RpcCall) -> Awaitable[Any]:
            authorization = call.metadata.get("authorization")
            if authorization is None:
                if call.method in public:
                    return proceed(call)
                raise UnauthenticatedError("missing bearer token in 'authorization' metadata")
            token = tokens.get(authorization)
            if token is None:
                return verify_then_proceed(call, authorization, proceed)
            # A token verified before needs no await: no coroutine of its own for this step.
            principal = cached(token)
            if principal is None:
                return verify_then_proceed(call, authorization, proceed)
            call.principal = principal
            return proceed(call)

        return authenticate

    async def _verify_then_proceed(
        self, call: RpcCall, authorization: str, proceed: Proceed
    ) -> Any:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise UnauthenticatedError("'authorization' metadata must be 'Bearer <token>'")
        token = token.strip()
        principal = await self._verifier.verify(token)
        if len(self._tokens) >= _MAX_HEADERS:
            self._tokens.clear()
        self._tokens[authorization] = token
        call.principal = principal
        return await proceed(call)
