"""One transaction over spaces, members, documents, versions and the events they cause."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from .documents import DocumentRepository, VersionRepository
from .events import KnowledgeEvent
from .spaces import MemberRepository, SpaceRepository


class KnowledgeUnitOfWork(Protocol):
    """`async with uow: ...; await uow.commit()`; leaving without commit rolls everything back,
    including the events recorded in it."""

    @property
    def spaces(self) -> SpaceRepository: ...

    @property
    def members(self) -> MemberRepository: ...

    @property
    def documents(self) -> DocumentRepository: ...

    @property
    def versions(self) -> VersionRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def record(self, event: KnowledgeEvent) -> None:
        """Publish `event` to other services if, and only if, this unit of work commits."""
        ...

    async def commit(self) -> None: ...
