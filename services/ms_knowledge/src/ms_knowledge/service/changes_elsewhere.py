"""Changes committed by the other instances of the service, for this instance's watchers.

Watchers are served by the instance they are connected to; every instance learns of every
committed change from the service's Kafka topics and hands it to its own change feed here.
"""

from __future__ import annotations

from ..domain.changes import DocumentChange, DocumentChangeType
from ..domain.documents import Document
from .use_cases import KnowledgeUseCases


class ChangesElsewhere(KnowledgeUseCases):
    """Passes on what other instances committed; reads the database only when someone here
    watches the document or its space."""

    async def document_written(self, name: str, space: str) -> None:
        """A document was created, edited or restored: watchers get its current state."""
        if not self._feed.is_watched(name, space):
            return
        async with self._unit_of_work() as work:
            document = await work.documents.get(name)
        if document is None:
            return  # deleted since; its deletion comes next
        change_type = (
            DocumentChangeType.CREATED if document.revision == 1 else DocumentChangeType.UPDATED
        )
        self._feed.publish(DocumentChange(change_type, document))

    def document_deleted(self, last_known: Document) -> None:
        """A document was deleted; `last_known` is what its deletion event told."""
        self._feed.publish(DocumentChange(DocumentChangeType.DELETED, last_known))

    def space_deleted(self, space: str) -> None:
        """A space was deleted: its watchers here are ended."""
        self._feed.close_space(space)

    def member_removed(self, space: str, user: str) -> None:
        """A member left or was removed: their watchers here are ended."""
        self._feed.revoke_member(space, user)
