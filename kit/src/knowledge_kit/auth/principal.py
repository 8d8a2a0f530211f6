"""Who is calling: the principal a verified token names, and the claims convention it came from.

Claims of a platform access token (issued by ms_auth, verified by every service):

| claim   | meaning                                                              |
|---------|----------------------------------------------------------------------|
| `kid`   | (header) id of the signing key in the Auth service's JWKS            |
| `alg`   | (header) `EdDSA` (Ed25519, preferred) or `RS256`                     |
| `iss`   | the Auth service's issuer name (settings `auth_issuer`)              |
| `aud`   | the platform audience (settings `auth_audience`)                     |
| `sub`   | principal resource name: `users/{id}` or `serviceAccounts/{id}`      |
| `iat`   | issued at (seconds); `exp`: expiry (seconds), both required          |
| `roles` | list of platform role names, e.g. `["reader", "admin"]`              |
| `sid`   | login session id (users only); revoking the session ends the token   |
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from knowledge_kit.current import bound_principal as _bound_principal
from knowledge_kit.current import rpc_call as _rpc_call

ALGORITHMS = ("EdDSA", "RS256")
ROLES_CLAIM = "roles"
SESSION_CLAIM = "sid"
PRINCIPAL_NAME = re.compile(r"^(users|serviceAccounts)/[A-Za-z0-9._~-]+$")


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. `token` is kept for forwarding and never shown in reprs or logs."""

    name: str
    roles: frozenset[str] = frozenset()
    session_id: str | None = None
    expires_at: float = 0.0
    token: str = field(default="", repr=False, compare=False)

    @property
    def is_service_account(self) -> bool:
        """True for a service calling on its own behalf (`serviceAccounts/...`)."""
        return self.name.startswith("serviceAccounts/")

    def has_role(self, role: str) -> bool:
        """Whether the token granted `role`."""
        return role in self.roles


def current_principal() -> Principal | None:
    """The principal of the RPC or WebSocket connection being handled, if it authenticated: the
    one bound to the task (`set_current_principal`), else the RPC's (`RpcCall.principal`, which
    the `Authenticate` step sets; no context variable of its own to set per RPC)."""
    principal = _bound_principal.get()
    if principal is None:
        call = _rpc_call.get()
        if call is not None:
            return call.principal
    return principal


set_current_principal: Callable[[Principal | None], object] = _bound_principal.set
"""Bind the principal for the rest of the current task (used by entry points other than RPCs:
WebSocket connections)."""
