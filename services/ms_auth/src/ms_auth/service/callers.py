"""Who is calling an authenticated RPC, checked against what the Auth service knows now."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge_kit.api import Clock
from knowledge_kit.auth import Principal
from knowledge_kit.errors import (
    FieldViolation,
    PermissionDeniedError,
    UnauthenticatedError,
    ValidationError,
)

from ..domain.unit_of_work import AuthUnitOfWork
from ..domain.users import OWN_USER_NAME, PlatformRole, User, user_id_of


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated principal; `user` is its current account (None for service accounts)."""

    principal: Principal
    user: User | None

    @property
    def is_admin(self) -> bool:
        """An administrator by the account's current role, not the token's possibly older one."""
        return self.user is not None and self.user.role is PlatformRole.ADMIN

    def user_id_named(self, name: str, field: str = "name") -> str:
        """The user id `name` denotes; `users/me` is the caller's own account."""
        if name == OWN_USER_NAME:
            if self.user is None:
                raise ValidationError(
                    "users/me names a person's account; service accounts have none",
                    [FieldViolation(field, "must name a user, as users/{user}")],
                )
            return self.user.id
        return user_id_of(name, field)

    def require_admin(self, action: str) -> None:
        """PERMISSION_DENIED unless the caller is an administrator."""
        if not self.is_admin:
            raise PermissionDeniedError(f"only administrators may {action}")

    def require_self_or_admin(self, user_id: str, action: str) -> None:
        """PERMISSION_DENIED unless the caller is that user or an administrator."""
        if not self.is_admin and (self.user is None or self.user.id != user_id):
            raise PermissionDeniedError(
                f"only the account's owner or an administrator may {action}"
            )

    def require_may_read_user(self, user_id: str) -> None:
        """The owner, administrators and services (which show names of people) may read a user."""
        if not self.principal.is_service_account:
            self.require_self_or_admin(user_id, "read another account")


async def current_caller(work: AuthUnitOfWork, principal: Principal, clock: Clock) -> Caller:
    """The caller of an authenticated RPC; UNAUTHENTICATED when its account is gone or the
    session its token belongs to has ended (revocation takes effect here at once)."""
    if principal.is_service_account:
        return Caller(principal, None)
    user = await work.users.get(principal.name.removeprefix("users/"))
    if user is None:
        raise UnauthenticatedError("the account of this token no longer exists")
    # Every token this service issues to a person names its session.
    session = await work.sessions.get(principal.session_id) if principal.session_id else None
    if session is None or session.user_id != user.id or not session.is_open(clock()):
        raise UnauthenticatedError("the session of this token has ended")
    return Caller(principal, user)
