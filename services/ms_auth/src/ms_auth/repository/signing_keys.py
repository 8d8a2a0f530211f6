"""Signing keys in the `signing_keys` table, private halves as (optionally encrypted) PKCS#8 PEM."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from knowledge_kit.auth import SigningKey
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.signing_keys import SigningKeyring, SigningKeyVersion
from .tables import signing_keys


class PrivateKeyCodec:
    """Serializes private keys for storage, encrypted when a passphrase is configured; keeps
    decoded keys by kid, since a stored key never changes."""

    def __init__(self, passphrase: bytes | None = None) -> None:
        self._passphrase = passphrase
        self._decoded: dict[str, SigningKey] = {}

    def encode(self, key: SigningKey) -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(self._passphrase)
            if self._passphrase
            else serialization.NoEncryption()
        )
        return key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def decode(self, kid: str, pem: bytes) -> SigningKey:
        key = self._decoded.get(kid)
        if key is None:
            private = serialization.load_pem_private_key(pem, password=self._passphrase)
            if not isinstance(private, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
                raise ValueError(f"signing key {kid} is neither Ed25519 nor RSA")
            key = self._decoded[kid] = SigningKey(kid, private)
        return key


class SqlSigningKeyRepository:
    """Maps signing key versions to rows within one session."""

    def __init__(self, session: AsyncSession, codec: PrivateKeyCodec) -> None:
        self._session = session
        self._codec = codec

    async def add(self, version: SigningKeyVersion) -> None:
        await self._session.execute(
            insert(signing_keys).values(
                kid=version.kid,
                algorithm=version.key.algorithm,
                private_key=self._codec.encode(version.key),
                activate_time=version.activate_time,
            )
        )

    async def keyring(self) -> SigningKeyring:
        statement = select(signing_keys).order_by(
            signing_keys.c.activate_time.desc(), signing_keys.c.kid
        )
        return SigningKeyring(
            [
                SigningKeyVersion(
                    key=self._codec.decode(row.kid, row.private_key),
                    activate_time=row.activate_time,
                )
                for row in await self._session.execute(statement)
            ]
        )
