"""CORS for browsers calling the edge from another origin (a dev server, the Next.js app); the
origins middleware has refused every page not allowed before these headers are written."""

from __future__ import annotations

from aiohttp import web

ALLOWED_HEADERS = (
    "authorization, content-type, x-grpc-web, x-user-agent, grpc-timeout, x-request-id, "
    "traceparent, tracestate, connect-protocol-version, connect-timeout-ms"
)
EXPOSED_HEADERS = "grpc-status, grpc-message, grpc-status-details-bin, x-request-id"
PREFLIGHT_MAX_AGE = "600"


def cors_headers(request: web.Request) -> dict[str, str]:
    """The CORS response headers for this request's (allowed) Origin; empty without one."""
    origin = request.headers.get("Origin")
    if origin is None:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }


def preflight_response(request: web.Request) -> web.Response:
    headers = cors_headers(request)
    if not headers:
        return web.Response(status=400, text="a preflight request names its Origin\n")
    headers.update(
        {
            "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
    )
    return web.Response(status=204, headers=headers)
