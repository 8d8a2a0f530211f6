"""Between HTTP headers (gRPC-web side) and gRPC metadata (service side)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping

# Headers that describe the HTTP exchange itself, or the browser, not the call.
NOT_FORWARDED = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "content-type",
        "content-length",
        "transfer-encoding",
        "accept",
        "accept-encoding",
        "accept-language",
        "origin",
        "referer",
        "user-agent",
        "te",
        "upgrade",
        "cookie",
        "x-grpc-web",
        "x-user-agent",
        "grpc-timeout",
        "grpc-accept-encoding",
        "grpc-encoding",
        "pragma",
        "cache-control",
        "priority",
        "dnt",
    }
)
TIMEOUT = re.compile(r"^(\d{1,8})([HMSmun])$")
TIMEOUT_UNIT_SECONDS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}

Metadata = tuple[tuple[str, str | bytes], ...]


def request_metadata(headers: Mapping[str, str], client_address: str | None) -> Metadata:
    """gRPC metadata for the upstream call: the caller's token, request and trace ids, and such."""
    forwarded: list[tuple[str, str | bytes]] = []
    for name, value in headers.items():
        key = name.lower()
        if key in NOT_FORWARDED or key.startswith(("sec-", "access-control-", ":")):
            continue
        if key.endswith("-bin"):
            try:
                forwarded.append((key, base64.b64decode(value)))
            except binascii.Error:
                continue
        else:
            forwarded.append((key, value))
    if client_address:
        forwarded.append(("x-forwarded-for", client_address))
    return tuple(forwarded)


def timeout_seconds(header: str | None) -> float | None:
    """The `grpc-timeout` header (e.g. `500m`) in seconds; None when absent."""
    if not header:
        return None
    match = TIMEOUT.match(header.strip())
    if match is None:
        raise ValueError(f"grpc-timeout '{header}' is not a number followed by one of HMSmun")
    return int(match.group(1)) * TIMEOUT_UNIT_SECONDS[match.group(2)]


def as_text_pairs(metadata: Iterable[tuple[str, str | bytes]] | None) -> list[tuple[str, str]]:
    """Metadata as header-safe text: binary values base64-encoded, as gRPC-web expects."""
    pairs: list[tuple[str, str]] = []
    for key, value in metadata or ():
        if isinstance(value, bytes):
            pairs.append((key, base64.b64encode(value).decode()))
        else:
            pairs.append((key, value))
    return pairs
