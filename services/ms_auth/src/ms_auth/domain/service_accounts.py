"""Service accounts: non-human identities that sign in with a provisioned secret."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from knowledge_kit.api import ResourcePattern
from knowledge_kit.errors import FieldViolation, PermissionDeniedError, ValidationError

# Service accounts are named after their service (serviceAccounts/ms_chat), underscores and all.
SERVICE_ACCOUNT_NAME = ResourcePattern(
    "serviceAccounts/{service_account}", service_account="[a-z][a-z0-9_-]{1,62}"
)
SCOPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
AUDIENCE = re.compile(r"^ms_[a-z][a-z0-9_]*$")


@dataclass(slots=True)
class ServiceAccount:
    """A service's identity, named `serviceAccounts/{id}`, with the scopes it may be granted."""

    id: str
    display_name: str
    scopes: tuple[str, ...]
    secret_hash: str
    create_time: datetime

    @property
    def name(self) -> str:
        return f"serviceAccounts/{self.id}"

    def granted_scopes(self, requested: Sequence[str]) -> tuple[str, ...]:
        """The scopes a token may carry: all of the account's when none are requested, else the
        requested ones, each of which the account must hold."""
        if not requested:
            return self.scopes
        refused = sorted(set(requested) - set(self.scopes))
        if refused:
            raise PermissionDeniedError(f"{self.name} may not be granted {', '.join(refused)}")
        return tuple(sorted(set(requested)))


def service_account_id_of(name: str, field: str = "name") -> str:
    """The id in `serviceAccounts/{id}`, or a ValidationError naming `field`."""
    return SERVICE_ACCOUNT_NAME.parse(name, field)["service_account"]


def checked_scopes(scopes: Sequence[str], field: str = "scopes") -> tuple[str, ...]:
    """`scopes` when each looks like `knowledge.documents.read`, else a ValidationError."""
    violations = [
        FieldViolation(f"{field}[{index}]", "must look like knowledge.documents.read")
        for index, scope in enumerate(scopes)
        if not SCOPE.fullmatch(scope)
    ]
    if violations:
        raise ValidationError("a requested scope is malformed", violations)
    return tuple(scopes)


def checked_audience(audience: str, field: str = "audience") -> str | None:
    """The receiving service a token is meant for (None when not named), or a ValidationError."""
    if not audience:
        return None
    if not AUDIENCE.fullmatch(audience):
        raise ValidationError(
            f"'{audience}' is not a service name",
            [FieldViolation(field, "must name a service like ms_knowledge")],
        )
    return audience


class ServiceAccountRepository(Protocol):
    """Where service accounts are kept."""

    async def get(self, account_id: str) -> ServiceAccount | None: ...

    async def save(self, account: ServiceAccount) -> None:
        """Insert the account, or replace the stored one with the same id."""
        ...
