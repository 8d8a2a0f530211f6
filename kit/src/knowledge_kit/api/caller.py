"""Who is calling the RPC being handled: the principal the kit's pipeline verified."""

from __future__ import annotations

from knowledge_kit.auth.principal import Principal, current_principal
from knowledge_kit.errors import UnauthenticatedError


def caller() -> Principal:
    """The authenticated caller; UNAUTHENTICATED when the RPC carried no valid token."""
    principal = current_principal()
    if principal is None:
        raise UnauthenticatedError("this method needs a bearer token")
    return principal


def caller_name() -> str:
    """`users/{id}` or `serviceAccounts/{id}` of the authenticated caller."""
    return caller().name
