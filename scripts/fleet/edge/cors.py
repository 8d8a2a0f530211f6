"""CORS for browsers calling the edge from another origin (a dev server, the Next.js app)."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

ALLOWED_HEADERS = (
    "authorization, content-type, x-grpc-web, x-user-agent, grpc-timeout, x-request-id, "
    "traceparent, tracestate, connect-protocol-version, connect-timeout-ms"
)
EXPOSED_HEADERS = "grpc-status, grpc-message, grpc-status-details-bin, x-request-id"
PREFLIGHT_MAX_AGE = "600"


def cors_headers(request: web.Request, allowed_origins: Sequence[str]) -> dict[str, str]:
    """The CORS response headers for this request's Origin; empty when the origin is refused."""
    origin = request.headers.get("Origin")
    if origin is None:
        return {}
    if "*" not in allowed_origins and origin not in allowed_origins:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }


def preflight_response(request: web.Request, allowed_origins: Sequence[str]) -> web.Response:
    headers = cors_headers(request, allowed_origins)
    if not headers:
        return web.Response(status=403, text="origin not allowed\n")
    headers.update(
        {
            "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
    )
    return web.Response(status=204, headers=headers)
