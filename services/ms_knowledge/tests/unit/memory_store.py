"""An in-memory unit of work for the use-case tests: the repository protocols over dicts.

A unit of work works on a copy of the store and swaps it in on commit, so rollback is real.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from knowledge_kit.errors import AlreadyExistsError

from ms_knowledge.domain.documents import Document, DocumentVersion
from ms_knowledge.domain.events import KnowledgeEvent
from ms_knowledge.domain.roles import SpaceRole
from ms_knowledge.domain.spaces import Space, SpaceMember


@dataclass
class StoredState:
    spaces: dict[str, Space] = field(default_factory=dict)
    members: dict[tuple[str, str], SpaceMember] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    versions: dict[tuple[str, int], DocumentVersion] = field(default_factory=dict)
    events: list[KnowledgeEvent] = field(default_factory=list)


class MemorySpaces:
    def __init__(self, state: StoredState) -> None:
        self._state = state

    async def add(self, space: Space) -> None:
        if space.name in self._state.spaces:
            raise AlreadyExistsError(f"{space.name} already exists")
        self._state.spaces[space.name] = space

    async def get(self, name: str) -> Space | None:
        return self._state.spaces.get(name)

    async def list_for_member(self, user: str, *, offset: int, limit: int) -> list[Space]:
        mine = [
            self._state.spaces[space] for space, member in self._state.members if member == user
        ]
        mine.sort(key=lambda space: (space.display_name.lower(), space.name))
        return mine[offset : offset + limit]

    async def replace(self, space: Space, *, expected_etag: str) -> bool:
        stored = self._state.spaces.get(space.name)
        if stored is None or stored.etag != expected_etag:
            return False
        self._state.spaces[space.name] = space
        return True

    async def remove(self, name: str) -> None:
        state = self._state
        del state.spaces[name]
        state.members = {key: m for key, m in state.members.items() if key[0] != name}
        state.documents = {key: d for key, d in state.documents.items() if d.space != name}
        state.versions = {
            key: v for key, v in state.versions.items() if not key[0].startswith(f"{name}/")
        }


class MemoryMembers:
    def __init__(self, state: StoredState) -> None:
        self._state = state

    async def add(self, member: SpaceMember) -> None:
        self._state.members[(member.space, member.user)] = member

    async def get(self, space: str, user: str) -> SpaceMember | None:
        return self._state.members.get((space, user))

    async def list_in_space(self, space: str, *, offset: int, limit: int) -> list[SpaceMember]:
        members = [m for (s, _), m in self._state.members.items() if s == space]
        members.sort(key=lambda m: (-m.role, m.user))
        return members[offset : offset + limit]

    async def change_role(self, space: str, user: str, role: SpaceRole) -> None:
        member = self._state.members[(space, user)]
        self._state.members[(space, user)] = SpaceMember(
            space, user, role, member.create_time, member.invited_by
        )

    async def remove(self, space: str, user: str) -> None:
        del self._state.members[(space, user)]

    async def count_owners(self, space: str) -> int:
        return sum(
            1
            for (s, _), m in self._state.members.items()
            if s == space and m.role is SpaceRole.OWNER
        )


class MemoryDocuments:
    def __init__(self, state: StoredState) -> None:
        self._state = state

    async def add(self, document: Document) -> None:
        if document.name in self._state.documents:
            raise AlreadyExistsError(f"{document.name} already exists")
        self._state.documents[document.name] = document

    async def get(self, name: str) -> Document | None:
        return self._state.documents.get(name)

    async def list_in_space(
        self, space: str, *, title_contains: str, offset: int, limit: int
    ) -> list[Document]:
        found = [
            d.without_content()
            for d in self._state.documents.values()
            if d.space == space and title_contains.lower() in d.title.lower()
        ]
        found.sort(key=lambda d: (d.update_time, d.name), reverse=True)
        return found[offset : offset + limit]

    async def replace(self, document: Document, *, expected_etag: str) -> bool:
        stored = self._state.documents.get(document.name)
        if stored is None or stored.etag != expected_etag:
            return False
        self._state.documents[document.name] = document
        return True

    async def remove(self, name: str) -> None:
        del self._state.documents[name]
        self._state.versions = {k: v for k, v in self._state.versions.items() if k[0] != name}


class MemoryVersions:
    def __init__(self, state: StoredState) -> None:
        self._state = state

    async def add(self, version: DocumentVersion) -> None:
        self._state.versions[(version.document, version.revision)] = version

    async def get(self, document: str, revision: int) -> DocumentVersion | None:
        return self._state.versions.get((document, revision))

    async def list_for_document(
        self, document: str, *, offset: int, limit: int
    ) -> list[DocumentVersion]:
        found = [v for (d, _), v in self._state.versions.items() if d == document]
        found.sort(key=lambda v: v.revision, reverse=True)
        return found[offset : offset + limit]


class MemoryStore:
    """The committed state; `unit_of_work()` opens a transaction over it."""

    def __init__(self) -> None:
        self.state = StoredState()

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


class MemoryUnitOfWork:
    spaces: MemorySpaces
    members: MemoryMembers
    documents: MemoryDocuments
    versions: MemoryVersions

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._working = StoredState()

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self._store.state)
        self.spaces = MemorySpaces(self._working)
        self.members = MemoryMembers(self._working)
        self.documents = MemoryDocuments(self._working)
        self.versions = MemoryVersions(self._working)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    async def record(self, event: KnowledgeEvent) -> None:
        self._working.events.append(event)

    async def commit(self) -> None:
        self._store.state = self._working
