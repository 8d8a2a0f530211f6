"""The knobs of the Auth service's use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ..domain.throttling import LockoutPolicy


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """Token lifetimes, lockout, key rotation and who starts out as an administrator."""

    issuer: str
    audience: str
    access_token_ttl: timedelta = timedelta(minutes=15)
    refresh_token_ttl: timedelta = timedelta(days=14)
    service_account_token_ttl: timedelta = timedelta(minutes=15)
    signing_key_rotation_interval: timedelta = timedelta(days=30)
    # A successor key is published this long before it signs: longer than any verifier's JWKS
    # cache (the kit's 5 minutes, the mesh's 20 minutes by default).
    signing_key_publication_lead: timedelta = timedelta(hours=1)
    # Verifiers accept tokens this long past `exp` (the kit's leeway), so retired keys stay
    # published for the longest token lifetime plus this.
    verification_leeway: timedelta = timedelta(seconds=30)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    admin_emails: frozenset[str] = frozenset()

    @property
    def verification_window(self) -> timedelta:
        """How long a retired signing key must stay published."""
        longest = max(self.access_token_ttl, self.service_account_token_ttl)
        return longest + self.verification_leeway
