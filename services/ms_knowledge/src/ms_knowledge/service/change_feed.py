"""In-process fan-out of document changes to the watchers of a document or of a whole space.

Each watcher has a bounded backlog: one that falls behind is ended with ABORTED (it reopens the
stream and starts from a fresh snapshot) instead of holding memory or slowing writers down.
A change can reach the feed twice (from this instance right after its commit, and from Kafka,
where every instance learns of every change); the feed delivers each revision once, in order.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Self

from knowledge_kit.errors import ConflictError, DomainError

from ..domain.changes import DocumentChange, DocumentChangeType
from .access import space_not_found

DEFAULT_WATCHER_BACKLOG = 100
REMEMBERED_DOCUMENTS = 10_000


class ChangeSubscription:
    """The changes one watcher has yet to receive; iterate it, close it when done."""

    def __init__(self, feed: DocumentChangeFeed, key: str, space: str, user: str, backlog: int):
        self.key = key
        self.space = space
        self.user = user
        self._feed = feed
        self._backlog = backlog
        self._pending: deque[DocumentChange] = deque()
        self._arrived = asyncio.Event()
        self._ended_by: DomainError | None = None

    def offer(self, change: DocumentChange) -> None:
        """Queue `change`; a watcher whose backlog is full is ended instead."""
        if self._ended_by is not None:
            return
        if len(self._pending) >= self._backlog:
            self.end(ConflictError("the watcher fell behind the changes; open the stream again"))
            return
        self._pending.append(change)
        self._arrived.set()

    def end(self, reason: DomainError) -> None:
        """Stop the watcher: it raises `reason` instead of receiving further changes."""
        self._pending.clear()
        self._ended_by = reason
        self._arrived.set()

    def __aiter__(self) -> AsyncIterator[DocumentChange]:
        return self

    async def __anext__(self) -> DocumentChange:
        while not self._pending:
            if self._ended_by is not None:
                raise self._ended_by
            self._arrived.clear()
            await self._arrived.wait()
        return self._pending.popleft()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._feed.unsubscribe(self)


class DocumentChangeFeed:
    """Watchers subscribe to a document name or a space name; a change of a document reaches
    the watchers of that document and of its space."""

    def __init__(self, watcher_backlog: int = DEFAULT_WATCHER_BACKLOG) -> None:
        if watcher_backlog < 1:
            raise ValueError(f"watcher_backlog must be at least 1, got {watcher_backlog}")
        self._backlog = watcher_backlog
        self._by_key: dict[str, set[ChangeSubscription]] = {}
        self._by_space: dict[str, set[ChangeSubscription]] = {}
        # The last revision delivered per document, and whether that was its deletion.
        self._delivered: OrderedDict[str, tuple[int, bool]] = OrderedDict()

    def subscribe(self, key: str, *, space: str, user: str) -> ChangeSubscription:
        """Start receiving changes of `key` (a document or space name) in `space` for `user`."""
        subscription = ChangeSubscription(self, key, space, user, self._backlog)
        self._by_key.setdefault(key, set()).add(subscription)
        self._by_space.setdefault(space, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: ChangeSubscription) -> None:
        """Stop delivering to `subscription`."""
        for index, key in ((self._by_key, subscription.key), (self._by_space, subscription.space)):
            watchers = index.get(key)
            if watchers is not None:
                watchers.discard(subscription)
                if not watchers:
                    del index[key]

    def watchers(self, key: str) -> int:
        """How many watchers `key` (a document or space name) has right now."""
        return len(self._by_key.get(key, ()))

    def is_watched(self, document: str, space: str) -> bool:
        """Whether a change of `document` in `space` would reach anyone here."""
        return bool(self._by_key.get(document) or self._by_key.get(space))

    def publish(self, change: DocumentChange) -> None:
        """Deliver a committed change to the watchers of its document and of its space, unless
        they already have this revision or a later one."""
        if not self._first_delivery(change):
            return
        document = change.document
        for key in (document.name, document.space):
            for subscription in list(self._by_key.get(key, ())):
                subscription.offer(change)

    def _first_delivery(self, change: DocumentChange) -> bool:
        name, revision = change.document.name, change.document.revision
        deleted = change.change_type is DocumentChangeType.DELETED
        delivered = self._delivered.get(name)
        if delivered is not None:
            last_revision, was_deleted = delivered
            if was_deleted and change.change_type is not DocumentChangeType.CREATED:
                return False  # late news of a document that is gone
            if not was_deleted and not deleted and revision <= last_revision:
                return False  # this revision, or a later one, was delivered already
        self._delivered[name] = (revision, deleted)
        self._delivered.move_to_end(name)
        if len(self._delivered) > REMEMBERED_DOCUMENTS:
            self._delivered.popitem(last=False)
        return True

    def close_space(self, space: str) -> None:
        """End every watcher in a deleted space with NOT_FOUND."""
        for subscription in list(self._by_space.get(space, ())):
            subscription.end(space_not_found(space))

    def revoke_member(self, space: str, user: str) -> None:
        """End `user`'s watchers in `space`, which they no longer belong to."""
        for subscription in list(self._by_space.get(space, ())):
            if subscription.user == user:
                subscription.end(space_not_found(space))
