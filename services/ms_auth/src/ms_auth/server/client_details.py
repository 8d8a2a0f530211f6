"""Where a sign-in came from, as far as the gRPC call tells."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import grpc

from ..service.sign_in import ClientDetails

FORWARDED_FOR = "x-forwarded-for"
IP_ADDRESS_MAX_LENGTH = 64


def client_details(user_agent: str, context: grpc.aio.ServicerContext[Any, Any]) -> ClientDetails:
    """The request's user agent (else the call's), and the client address the edge forwarded
    (else the peer's)."""
    metadata = {
        key: value for key, value in context.invocation_metadata() or () if isinstance(value, str)
    }
    forwarded = metadata.get(FORWARDED_FOR, "").split(",")[0].strip()
    return ClientDetails(
        user_agent=user_agent or metadata.get("user-agent", ""),
        ip_address=(forwarded or peer_address(context.peer()))[:IP_ADDRESS_MAX_LENGTH],
    )


def peer_address(peer: str) -> str:
    """The address in a gRPC peer string: `ipv4:10.0.0.7:5123` or `ipv6:[::1]:5123`."""
    kind, _, rest = unquote(peer).partition(":")
    if kind == "ipv4":
        return rest.rpartition(":")[0]
    if kind == "ipv6":
        return rest.rpartition(":")[0].strip("[]")
    return ""
