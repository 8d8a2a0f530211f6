"""Use cases behind the live read-only views: watch one document, or every document of a space.

Opening a watch checks access and subscribes at once (errors surface before streaming starts);
the stream it returns owns the subscription and releases it when it ends or is closed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from ..domain.changes import DocumentChange, DocumentChangeType
from ..domain.documents import Document
from ..domain.names import DocumentName, checked_space_name
from ..domain.roles import SpaceAction
from .access import require_role
from .change_feed import ChangeSubscription
from .documents import existing_document
from .use_cases import KnowledgeUseCases


class WatchUseCases(KnowledgeUseCases):
    """Streams of committed changes for members allowed to read them."""

    async def watch_document(self, caller: str, name: str) -> AsyncIterator[DocumentChange]:
        """The document now (SNAPSHOT), then each later change, until it is deleted."""
        document_name = DocumentName.parse(name, "name")
        # Subscribe before reading, so that no change between the two is missed.
        subscription = self._feed.subscribe(name, space=document_name.space, user=caller)
        try:
            async with self._unit_of_work() as work:
                await require_role(work, document_name.space, caller, SpaceAction.READ_DOCUMENTS)
                snapshot = await existing_document(work, name)
        except BaseException:
            self._feed.unsubscribe(subscription)
            raise
        return _document_changes(subscription, snapshot)

    async def watch_space(self, caller: str, name: str) -> AsyncIterator[DocumentChange]:
        """Every later change of any document of the space, without content."""
        checked_space_name(name, "name")
        subscription = self._feed.subscribe(name, space=name, user=caller)
        try:
            async with self._unit_of_work() as work:
                await require_role(work, name, caller, SpaceAction.READ_DOCUMENTS)
        except BaseException:
            self._feed.unsubscribe(subscription)
            raise
        return _space_changes(subscription)


async def _document_changes(
    subscription: ChangeSubscription, snapshot: Document
) -> AsyncIterator[DocumentChange]:
    with subscription:
        yield DocumentChange(DocumentChangeType.SNAPSHOT, snapshot)
        latest = snapshot.revision
        async for change in subscription:
            deleted = change.change_type is DocumentChangeType.DELETED
            if not deleted and change.document.revision <= latest:
                # Already in the snapshot, or overtaken: two writers can publish in the
                # opposite order to the one they committed in; watchers only move forward.
                continue
            yield change
            if deleted:
                return
            latest = change.document.revision


async def _space_changes(subscription: ChangeSubscription) -> AsyncIterator[DocumentChange]:
    with subscription:
        async for change in subscription:
            yield DocumentChange(change.change_type, change.document.without_content())
