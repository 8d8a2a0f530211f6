"""The Auth service verifies tokens with the keys in its own database, not over HTTP."""

from __future__ import annotations

import jwt
from knowledge_kit.auth import JwksKeySet, TokenVerifier
from knowledge_kit.errors import UnauthenticatedError
from knowledge_kit.settings import ServiceSettings

from ..service.signing_keys import SigningKeyUseCases


class OwnSigningKeys(JwksKeySet):
    """The kit's key set, answered from the published keys of this service. A kid never
    changes its key, so known keys are kept; an unknown kid reads the keys again."""

    def __init__(self, keys: SigningKeyUseCases) -> None:
        # The HTTP machinery of the base class is deliberately not set up: nothing is fetched.
        self._signing_keys = keys
        self._known: dict[str, jwt.PyJWK] = {}

    async def key(self, kid: str) -> jwt.PyJWK:
        known = self._known.get(kid)
        if known is None:
            for signing_key in await self._signing_keys.published_keys():
                self._known.setdefault(signing_key.kid, jwt.PyJWK(signing_key.public_jwk()))
            known = self._known.get(kid)
        if known is None:
            raise UnauthenticatedError("token signed with an unknown key")
        return known

    async def close(self) -> None:
        return None


def own_token_verifier(settings: ServiceSettings, keys: SigningKeyUseCases) -> TokenVerifier:
    """The kit's verifier with the same issuer and audience the service signs with."""
    return TokenVerifier(
        OwnSigningKeys(keys), issuer=settings.auth_issuer, audience=settings.auth_audience
    )
