"""Signing keys and token minting: what ms_auth uses to issue tokens and to serve its JWKS."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

from knowledge_kit.auth.principal import PRINCIPAL_NAME, ROLES_CLAIM, SESSION_CLAIM

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class SigningKey:
    """A private key with its `kid`; `public_jwk()` is what the JWKS endpoint publishes."""

    kid: str
    private_key: PrivateKey

    @classmethod
    def generate(cls, algorithm: str = "EdDSA", kid: str | None = None) -> SigningKey:
        """A fresh Ed25519 (default) or RSA-2048 (`RS256`) key."""
        kid = kid or uuid.uuid4().hex
        if algorithm == "EdDSA":
            return cls(kid, ed25519.Ed25519PrivateKey.generate())
        if algorithm == "RS256":
            return cls(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))
        raise ValueError(f"unsupported signing algorithm {algorithm!r}: use EdDSA or RS256")

    @property
    def algorithm(self) -> str:
        return "EdDSA" if isinstance(self.private_key, ed25519.Ed25519PrivateKey) else "RS256"

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK with `kid`, `alg` and `use`."""
        public = self.private_key.public_key()
        if isinstance(public, ed25519.Ed25519PublicKey):
            jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(public))
        else:
            jwk = json.loads(RSAAlgorithm.to_jwk(public))
        jwk.update({"kid": self.kid, "alg": self.algorithm, "use": "sig"})
        return jwk

    def issue(
        self,
        *,
        subject: str,
        issuer: str,
        audience: str,
        roles: Iterable[str] = (),
        session_id: str | None = None,
        ttl_seconds: float = 900,
        extra_claims: Mapping[str, Any] | None = None,
    ) -> str:
        """Mint an access token following the platform claims convention."""
        if not PRINCIPAL_NAME.fullmatch(subject):
            raise ValueError(
                f"token subject {subject!r} must be users/{{id}} or serviceAccounts/{{id}}"
            )
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "sub": subject,
            "iat": now,
            "exp": now + int(ttl_seconds),
            ROLES_CLAIM: sorted(roles),
        }
        if session_id is not None:
            claims[SESSION_CLAIM] = session_id
        claims.update(extra_claims or {})
        return jwt.encode(
            claims, self.private_key, algorithm=self.algorithm, headers={"kid": self.kid}
        )


def jwks_document(keys: Iterable[SigningKey]) -> dict[str, Any]:
    """The JSON document served at the JWKS URL: every key still accepted for verification."""
    return {"keys": [key.public_jwk() for key in keys]}
