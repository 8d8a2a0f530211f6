"""The JWKS over HTTP (`GET /.well-known/jwks.json`): what the kit's verifiers and the mesh's
RequestAuthentication fetch."""

from __future__ import annotations

from aiohttp import web
from knowledge_kit.auth.signing import jwks_document

from ..service.signing_keys import SigningKeyUseCases

JWKS_PATH = "/.well-known/jwks.json"
# Verifiers refetch on an unknown kid anyway; caching bounds how often they ask otherwise.
CACHE_CONTROL = "public, max-age=300"


def jwks_application(keys: SigningKeyUseCases) -> web.Application:
    """An aiohttp application serving the published keys."""

    async def serve_jwks(request: web.Request) -> web.Response:
        document = jwks_document(await keys.published_keys())
        return web.json_response(document, headers={"Cache-Control": CACHE_CONTROL})

    application = web.Application()
    application.router.add_get(JWKS_PATH, serve_jwks)
    return application


class JwksEndpoint:
    """The HTTP server around `jwks_application`; `port` is the bound one (useful with 0)."""

    def __init__(self, keys: SigningKeyUseCases, host: str, port: int) -> None:
        self._runner = web.AppRunner(jwks_application(keys), access_log=None)
        self._host = host
        self._port = port
        self.port = 0

    async def start(self) -> int:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        await self._runner.cleanup()
