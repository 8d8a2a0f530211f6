"""Service accounts: provisioning them from configuration, and issuing their access tokens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge_kit.api import Clock
from knowledge_kit.errors import FieldViolation, ValidationError

from ..domain.credentials import PasswordHasher
from ..domain.service_accounts import (
    ServiceAccount,
    checked_audience,
    checked_scopes,
    service_account_id_of,
)
from ..domain.unit_of_work import AuthUnitOfWork
from .policy import AuthPolicy
from .throttle_guard import ThrottledSecretCheck
from .tokens import AccessToken, TokenIssuer


@dataclass(frozen=True, slots=True)
class ServiceAccountSpec:
    """A service account as configured for a deployment, with its secret in clear."""

    name: str
    secret: str
    scopes: tuple[str, ...] = ()
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class IssuedServiceAccountToken:
    """A service account's access token and the account it names."""

    access_token: AccessToken
    account: ServiceAccount


class ServiceAccountUseCases:
    """Client-credentials sign-in of services, throttled like people's sign-ins."""

    def __init__(
        self,
        unit_of_work: Callable[[], AuthUnitOfWork],
        *,
        hasher: PasswordHasher,
        tokens: TokenIssuer,
        policy: AuthPolicy,
        clock: Clock,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock
        self._secret_check = ThrottledSecretCheck(unit_of_work, hasher, policy.lockout, clock)

    async def issue_token(
        self, name: str, secret: str, scopes: Sequence[str], audience: str
    ) -> IssuedServiceAccountToken:
        """An access token for the account, if `secret` is its secret and it holds `scopes`."""
        account_id = service_account_id_of(name)
        if not secret:
            raise ValidationError(
                "the account's secret is needed", [FieldViolation("secret", "must not be empty")]
            )
        requested = checked_scopes(scopes)
        target = checked_audience(audience)
        async with self._unit_of_work() as work:
            account = await work.service_accounts.get(account_id)
        await self._secret_check.verify(
            name,
            account.secret_hash if account else None,
            secret,
            refusal="wrong service account name or secret",
        )
        assert account is not None  # a secret only matches an existing account's hash
        async with self._unit_of_work() as work:
            granted = account.granted_scopes(requested)
            token = await self._tokens.for_service_account(work, account, granted, target)
            await work.commit()
        return IssuedServiceAccountToken(token, account)

    async def provision(self, specs: Sequence[ServiceAccountSpec]) -> None:
        """Create or update the configured accounts; a secret is re-hashed only when it changed."""
        for spec in specs:
            account_id = service_account_id_of(spec.name, "service_accounts.name")
            scopes = checked_scopes(spec.scopes, "service_accounts.scopes")
            async with self._unit_of_work() as work:
                stored = await work.service_accounts.get(account_id)
                unchanged_secret = stored is not None and await self._hasher.verify(
                    stored.secret_hash, spec.secret
                )
                if stored is not None and unchanged_secret:
                    stored.scopes = scopes
                    stored.display_name = spec.display_name or account_id
                    account = stored
                else:
                    account = ServiceAccount(
                        id=account_id,
                        display_name=spec.display_name or account_id,
                        scopes=scopes,
                        secret_hash=await self._hasher.hash(spec.secret),
                        create_time=stored.create_time if stored else self._clock(),
                    )
                await work.service_accounts.save(account)
                await work.commit()
