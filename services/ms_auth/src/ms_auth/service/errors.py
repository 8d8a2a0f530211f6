"""Refusals particular to signing in, on top of the kit's domain errors."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
from knowledge_kit.errors import DomainError, UnauthenticatedError


class SignInLockedError(DomainError):
    """Too many failed sign-ins of one name: refused until the lock ends, whatever the secret."""

    status_code = grpc.StatusCode.RESOURCE_EXHAUSTED

    def __init__(self, locked_until: datetime) -> None:
        super().__init__(
            "too many failed sign-ins; try again after "
            f"{locked_until.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        )
        self.locked_until = locked_until


class WrongCredentialsError(UnauthenticatedError):
    """The name or the secret is wrong; deliberately not saying which."""
