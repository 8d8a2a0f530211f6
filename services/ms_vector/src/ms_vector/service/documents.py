"""The document RPCs: index a revision on request, remove a document, read its status."""

from __future__ import annotations

from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import FieldViolation, NotFoundError, ValidationError
from knowledge_kit.events import Outbox
from knowledge_kit.spaces import MemberRole
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.chunks import DocumentRevision
from ..domain.names import DOCUMENT, space_of
from ..domain.status import DocumentStatus
from ..repository.work import VectorWork
from .access import require_role
from .indexing import Indexing, IndexOutcome
from .live_index import LiveIndex

MAX_TITLE_CHARS = 1_000
MAX_CONTENT_TYPE_CHARS = 128


class DocumentIndex:
    """Each call checks the caller's role in the document's space first."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        indexing: Indexing,
        live: LiveIndex,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._indexing = indexing
        self._live = live

    async def index(self, caller: str, revision: DocumentRevision) -> IndexOutcome:
        """Editors and owners; searchable when this returns. Content longer than the index
        takes is refused here (an event carrying it is recorded as failed instead)."""
        _check_revision(revision, self._indexing.max_document_chars)
        async with UnitOfWork(self._sessions) as uow:
            work = VectorWork(uow.session, self._outbox)
            await require_role(
                work.memberships, revision.space, caller, MemberRole.EDITOR, what=revision.document
            )
            outcome = await self._indexing.index(work, revision)
            await uow.commit()
        if outcome.changed:
            await self._live.refresh([revision.document])
        return outcome

    async def remove(self, caller: str, document: str) -> int:
        """Editors and owners; gone from searches when this returns."""
        DOCUMENT.check(document, "document")
        space = space_of(document)
        async with UnitOfWork(self._sessions) as uow:
            work = VectorWork(uow.session, self._outbox)
            await require_role(work.memberships, space, caller, MemberRole.EDITOR, what=document)
            removed = await self._indexing.remove(work, document, space)
            await uow.commit()
        await self._live.refresh([document])
        return removed

    async def status(self, caller: str, document: str) -> DocumentStatus:
        """Any member of the document's space."""
        DOCUMENT.check(document, "document")
        async with UnitOfWork(self._sessions) as uow:
            work = VectorWork(uow.session, self._outbox)
            await require_role(
                work.memberships, space_of(document), caller, MemberRole.VIEWER, what=document
            )
            status = await work.records.status(document)
        if status is None:
            raise NotFoundError(f"{document} has not been indexed")
        return status


def _check_revision(revision: DocumentRevision, max_content_chars: int) -> None:
    DOCUMENT.check(revision.document, "document")
    violations: list[FieldViolation] = []
    if len(revision.content) > max_content_chars:
        violations.append(
            FieldViolation("content", f"must be at most {max_content_chars} characters")
        )
    if revision.revision < 1:
        violations.append(FieldViolation("revision", "must be 1 or more"))
    if len(revision.title) > MAX_TITLE_CHARS:
        violations.append(FieldViolation("title", f"must be at most {MAX_TITLE_CHARS} characters"))
    if len(revision.content_type) > MAX_CONTENT_TYPE_CHARS:
        violations.append(
            FieldViolation("content_type", f"must be at most {MAX_CONTENT_TYPE_CHARS} characters")
        )
    if violations:
        fields = ", ".join(violation.field for violation in violations)
        raise ValidationError(f"the revision is not valid: {fields}", violations)
