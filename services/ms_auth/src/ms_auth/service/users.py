"""Reading accounts, changing one's display name, and administrators changing platform roles."""

from __future__ import annotations

from collections.abc import Callable

from knowledge_kit.api import Clock, Page, PageTokens
from knowledge_kit.auth import Principal
from knowledge_kit.errors import (
    DomainError,
    FieldViolation,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

from ..domain.credentials import checked_display_name
from ..domain.events import UserRoleChanged
from ..domain.unit_of_work import AuthUnitOfWork
from ..domain.users import PlatformRole, User
from .callers import current_caller

EDITABLE_FIELDS = ("display_name",)


class UserUseCases:
    """Accounts as their owners, administrators and other services see them."""

    def __init__(
        self, unit_of_work: Callable[[], AuthUnitOfWork], *, pages: PageTokens, clock: Clock
    ) -> None:
        self._unit_of_work = unit_of_work
        self._pages = pages
        self._clock = clock

    async def get_user(self, principal: Principal, name: str) -> User:
        """The account `name` denotes (`users/me` for the caller's own)."""
        async with self._unit_of_work() as work:
            caller = await current_caller(work, principal, self._clock)
            user_id = caller.user_id_named(name)
            caller.require_may_read_user(user_id)
            return await _existing(work, user_id, name)

    async def list_users(self, principal: Principal, page_size: int, page_token: str) -> Page[User]:
        """Accounts ordered by email; administrators only."""
        request = self._pages.request(page_size, page_token, listing=())
        async with self._unit_of_work() as work:
            caller = await current_caller(work, principal, self._clock)
            caller.require_admin("list accounts")
            users = await work.users.list_by_email(
                after_email=str(request.after[0]) if request.after else None,
                limit=request.fetch_limit,
            )
        return request.page(users, lambda user: [user.email])

    async def update_display_name(self, principal: Principal, name: str, display_name: str) -> User:
        """Change the caller's own display name (the only field a user edits)."""
        new_name = checked_display_name(display_name, "user.display_name")
        if not new_name:
            raise ValidationError(
                "a display name is needed",
                [FieldViolation("user.display_name", "must not be empty")],
            )
        async with self._unit_of_work() as work:
            caller = await current_caller(work, principal, self._clock)
            user_id = caller.user_id_named(name, "user.name")
            if caller.user is None or caller.user.id != user_id:
                raise PermissionDeniedError("only the account's owner may change its display name")
            user = caller.user
            user.display_name = new_name
            user.update_time = self._clock()
            await work.users.update(user)
            await work.commit()
        return user

    async def get_role(self, principal: Principal, name: str) -> PlatformRole:
        """The platform role of the account `name` denotes."""
        return (await self.get_user(principal, name)).role

    async def update_role(self, principal: Principal, name: str, role: PlatformRole | None) -> User:
        """Give an account a platform role; administrators only. The last administrator stays."""
        async with self._unit_of_work() as work:
            caller = await current_caller(work, principal, self._clock)
            caller.require_admin("change platform roles")
            if role is None:
                raise ValidationError(
                    "a role is needed", [FieldViolation("role", "must be MEMBER or ADMIN")]
                )
            user_id = caller.user_id_named(name)
            user = await _existing(work, user_id, name)
            if user.role is role:
                return user
            if (
                user.role is PlatformRole.ADMIN
                and await work.users.count_with_role(PlatformRole.ADMIN) <= 1
            ):
                raise DomainError("the platform's last administrator cannot stop being one")
            previous = user.change_role(role, self._clock())
            await work.users.update(user)
            assert caller.user is not None  # administrators are people
            await work.events.record(
                UserRoleChanged(
                    user_id=user.id,
                    previous_role=previous,
                    role=role,
                    changed_by=caller.user.name,
                    changed_by_display_name=caller.user.display_name,
                )
            )
            await work.commit()
        return user


async def _existing(work: AuthUnitOfWork, user_id: str, name: str) -> User:
    user = await work.users.get(user_id)
    if user is None:
        raise NotFoundError(f"{name} does not exist")
    return user
