"""Signing keys and their rotation.

A successor key is published `publication lead` before it starts signing, so verifiers that cache
the JWKS (the mesh refreshes it only every so often) know it before the first token it signs; a
superseded key stays published while tokens it signed may still be valid. Rotating never breaks a
signed-in user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from knowledge_kit.auth import SigningKey


@dataclass(frozen=True, slots=True)
class SigningKeyVersion:
    """A signing key and the moment it starts signing; a newer key's activation supersedes it."""

    key: SigningKey
    activate_time: datetime

    @property
    def kid(self) -> str:
        return self.key.kid


@dataclass(frozen=True, slots=True)
class SigningKeyring:
    """Every stored key version, newest activation first."""

    versions: Sequence[SigningKeyVersion]

    def current(self, now: datetime) -> SigningKeyVersion | None:
        """The key that signs new tokens at `now`: the newest one already active."""
        return next((v for v in self.versions if v.activate_time <= now), None)

    def published(self, now: datetime, verification_window: timedelta) -> list[SigningKeyVersion]:
        """Keys a verifier needs at `now`: the current one first, then those waiting to take
        over, then those superseded within the verification window."""
        current = self.current(now)
        waiting = [v for v in self.versions if v.activate_time > now]
        superseded = []
        superseded_at = None
        for version in self.versions:
            if version.activate_time > now:
                continue
            if version is not current and superseded_at is not None:
                if now - superseded_at >= verification_window:
                    break
                superseded.append(version)
            superseded_at = version.activate_time
        return [*([current] if current else []), *reversed(waiting), *superseded]

    def activation_after(self, moment: datetime) -> datetime:
        """`moment`, or just after the newest activation: activations are strictly ordered, so
        which key signs is never ambiguous."""
        if self.versions and self.versions[0].activate_time >= moment:
            return self.versions[0].activate_time + timedelta(microseconds=1)
        return moment

    def rotation_due(
        self, now: datetime, rotation_interval: timedelta, publication_lead: timedelta
    ) -> bool:
        """Whether a successor must be published now so that it can take over when the current
        key reaches the rotation interval; never while a successor is already waiting."""
        newest = self.versions[0] if self.versions else None
        if newest is None:
            return True
        if newest.activate_time > now:
            return False
        return now - newest.activate_time >= rotation_interval - publication_lead


class SigningKeyRepository(Protocol):
    """Where signing keys are kept (private halves included)."""

    async def add(self, version: SigningKeyVersion) -> None: ...

    async def keyring(self) -> SigningKeyring:
        """Every stored version, newest activation first."""
        ...
