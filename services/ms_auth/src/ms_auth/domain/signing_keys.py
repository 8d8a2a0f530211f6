"""Signing keys: the newest signs new access tokens, retired ones stay published while tokens
they signed may still be valid, so rotating a key never breaks a signed-in user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from knowledge_kit.auth import SigningKey


@dataclass(slots=True)
class SigningKeyVersion:
    """A signing key and its life: created, and retired when a newer key took over."""

    key: SigningKey
    create_time: datetime
    retire_time: datetime | None = None

    @property
    def kid(self) -> str:
        return self.key.kid


@dataclass(frozen=True, slots=True)
class SigningKeyring:
    """Every stored key version, newest first."""

    versions: Sequence[SigningKeyVersion]

    @property
    def current(self) -> SigningKeyVersion | None:
        """The key that signs new tokens: the newest one not retired."""
        return next((v for v in self.versions if v.retire_time is None), None)

    def published(self, now: datetime, verification_window: timedelta) -> list[SigningKeyVersion]:
        """Keys a verifier still needs: the current one and those retired within the window."""
        return [
            version
            for version in self.versions
            if version.retire_time is None or now - version.retire_time < verification_window
        ]

    def rotation_due(self, now: datetime, rotation_interval: timedelta) -> bool:
        """Whether there is no signing key, or the current one is older than the interval."""
        current = self.current
        return current is None or now - current.create_time >= rotation_interval


class SigningKeyRepository(Protocol):
    """Where signing keys are kept (private halves included)."""

    async def add(self, version: SigningKeyVersion) -> None: ...

    async def retire(self, kid: str, retire_time: datetime) -> None: ...

    async def keyring(self) -> SigningKeyring:
        """Every stored version, newest first."""
        ...
