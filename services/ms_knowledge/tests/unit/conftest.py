"""Fixtures of the use-case tests: the use cases over an in-memory store, and people to act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from knowledge_kit.api import PageTokens

from ms_knowledge.domain.documents import Document
from ms_knowledge.domain.roles import SpaceRole
from ms_knowledge.domain.spaces import Space
from ms_knowledge.service.change_feed import DocumentChangeFeed
from ms_knowledge.service.documents import DocumentDraft, DocumentUseCases
from ms_knowledge.service.members import MemberUseCases
from ms_knowledge.service.spaces import SpaceUseCases
from ms_knowledge.service.versions import VersionUseCases
from ms_knowledge.service.watch import WatchUseCases

from .memory_store import MemoryStore

OWNER = "users/olivia"
EDITOR = "users/eddie"
VIEWER = "users/vera"
STRANGER = "users/sam"


class TickingClock:
    """A clock that moves one second every time it is read, so orderings are deterministic."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Knowledge:
    """All use cases over one store and one change feed."""

    store: MemoryStore
    feed: DocumentChangeFeed
    spaces: SpaceUseCases
    members: MemberUseCases
    documents: DocumentUseCases
    versions: VersionUseCases
    watch: WatchUseCases

    async def space_with_members(self, space_id: str = "handbook") -> Space:
        """A space owned by OWNER, with EDITOR and VIEWER invited."""
        space = await self.spaces.create_space(
            OWNER, space_id=space_id, display_name="Handbook", description="How we work"
        )
        await self.members.invite_member(OWNER, space.name, EDITOR, SpaceRole.EDITOR)
        await self.members.invite_member(OWNER, space.name, VIEWER, SpaceRole.VIEWER)
        return space

    async def document(
        self, space: Space, title: str = "Onboarding", content: str = "v1"
    ) -> Document:
        """A document EDITOR created in `space`."""
        return await self.documents.create_document(
            EDITOR, space.name, DocumentDraft(title=title, content=content)
        )


@pytest.fixture
def knowledge() -> Knowledge:
    store = MemoryStore()
    feed = DocumentChangeFeed(watcher_backlog=4)
    clock = TickingClock()
    pages = PageTokens(b"unit tests")
    return Knowledge(
        store=store,
        feed=feed,
        spaces=SpaceUseCases(store.unit_of_work, feed, pages=pages, clock=clock),
        members=MemberUseCases(store.unit_of_work, feed, pages=pages, clock=clock),
        documents=DocumentUseCases(store.unit_of_work, feed, pages=pages, clock=clock),
        versions=VersionUseCases(store.unit_of_work, feed, pages=pages, clock=clock),
        watch=WatchUseCases(store.unit_of_work, feed),
    )
