"""What several test modules share: memberships set up as events would, revisions to index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from knowledge_kit.database import UnitOfWork
from knowledge_kit.spaces import MemberRole, SpaceMemberships
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_vector.domain.chunks import DocumentRevision
from ms_vector.domain.names import space_of

WHEN = datetime(2026, 3, 1, tzinfo=UTC)


class Spaces:
    """The membership projection, changed directly (the kit's handlers are tested in the kit)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, space: str, user: str, role: MemberRole = MemberRole.VIEWER) -> None:
        async with UnitOfWork(self._sessions) as uow:
            await SpaceMemberships(uow.session).set_role(space, user, role)
            await uow.commit()

    async def remove(self, space: str, user: str) -> None:
        async with UnitOfWork(self._sessions) as uow:
            await SpaceMemberships(uow.session).remove(space, user)
            await uow.commit()


def revision(
    document: str,
    content: str,
    *,
    number: int = 1,
    title: str = "",
    content_type: str = "text/markdown",
    updated_at: datetime = WHEN,
) -> DocumentRevision:
    return DocumentRevision(
        document=document,
        space=space_of(document),
        revision=number,
        title=title or document.rsplit("/", 1)[-1].replace("-", " ").capitalize(),
        content=content,
        content_type=content_type,
        updated_at=updated_at,
    )


class UnreachableKnowledge:
    """A document source for tests that never reindex: reading from it is an error."""

    async def members(self, space: str, token: str) -> dict[str, int]:
        raise ConnectionError(f"ms_knowledge is not reachable from this test (asked for {space})")

    async def revisions(self, space: str, token: str) -> AsyncIterator[DocumentRevision]:
        raise ConnectionError(f"ms_knowledge is not reachable from this test (asked for {space})")
        yield  # pragma: no cover - makes this an async generator
