"""Who may see what: their own timeline, the timelines and aggregates of the spaces they are a
member of (and of the resources in them), everything for administrators."""

from __future__ import annotations

from knowledge_kit.auth import Principal
from knowledge_kit.errors import PermissionDeniedError
from knowledge_kit.spaces import SpaceMemberships
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.scope import Scope, ScopeKind

ADMIN_ROLE = "admin"


def is_admin(principal: Principal) -> bool:
    return principal.has_role(ADMIN_ROLE)


class Access:
    """Answers from the membership projection this service keeps from knowledge.spaces.v1."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def check(self, principal: Principal, scope: Scope) -> None:
        """PERMISSION_DENIED unless `principal` may see `scope`'s activities."""
        if is_admin(principal) or await self._may_see(principal.name, scope):
            return
        what = "the whole platform" if scope.kind is ScopeKind.PLATFORM else scope.name
        raise PermissionDeniedError(f"{principal.name} may not see the activities of {what}")

    async def is_member(self, user: str, space: str) -> bool:
        async with self._sessions() as session:
            return await SpaceMemberships(session).role_of(space, user) is not None

    async def _may_see(self, user: str, scope: Scope) -> bool:
        if scope.kind is ScopeKind.PLATFORM:
            return False
        if scope.owner:
            return scope.owner == user
        if scope.space:
            return await self.is_member(user, scope.space)
        return False  # a resource outside spaces and users (e.g. models/m1): administrators
