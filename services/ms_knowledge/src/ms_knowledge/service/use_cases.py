"""What every group of use cases works with: units of work, the change feed and the clock."""

from __future__ import annotations

from collections.abc import Callable

from knowledge_kit.api import Clock, PageTokens, utc_now

from ..domain.unit_of_work import KnowledgeUnitOfWork
from .change_feed import DocumentChangeFeed


class KnowledgeUseCases:
    """Base of the use-case groups: each call opens its own unit of work, and changes that
    watchers should see are published to the feed after they commit."""

    def __init__(
        self,
        unit_of_work: Callable[[], KnowledgeUnitOfWork],
        feed: DocumentChangeFeed,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._feed = feed
        self._clock = clock


class ListingUseCases(KnowledgeUseCases):
    """A group with List use cases, paged with the service's page tokens."""

    def __init__(
        self,
        unit_of_work: Callable[[], KnowledgeUnitOfWork],
        feed: DocumentChangeFeed,
        *,
        pages: PageTokens,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(unit_of_work, feed, clock=clock)
        self._pages = pages
