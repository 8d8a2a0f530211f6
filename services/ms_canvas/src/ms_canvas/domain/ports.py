"""What the use cases need from the outside world; the repository and gateways implement it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from knowledge_kit.auth.principal import Principal

from .access import SpaceRole
from .canvases import Canvas


@dataclass(frozen=True)
class StoredUpdate:
    canvas: str
    update: bytes  # a Yjs update
    author: str


@dataclass(frozen=True)
class StoredState:
    """A canvas's document as stored: the compacted snapshot and the updates after it."""

    snapshot: bytes | None
    updates: tuple[bytes, ...]


class CanvasRepository(Protocol):
    async def add(self, canvas: Canvas) -> None: ...
    async def get(self, name: str) -> Canvas | None: ...
    async def list_in_space(self, space: str, *, offset: int, limit: int) -> Sequence[Canvas]: ...
    async def save(self, canvas: Canvas) -> None: ...
    async def remove(self, name: str) -> None: ...
    async def remove_space(self, space: str) -> list[str]: ...


class UpdateAppender(Protocol):
    async def append(self, updates: Sequence[StoredUpdate]) -> dict[str, int]:
        """Store updates in order; the new revision of each canvas they touched."""
        ...


class CanvasUpdateLog(Protocol):
    async def load(self, canvas: str) -> StoredState: ...
    async def count_since_snapshot(self, canvas: str) -> int: ...
    async def compact(self, canvas: str) -> int:
        """Merge the snapshot and every update into a new snapshot; how many updates it took."""
        ...


class SpaceRoles(Protocol):
    async def role_of(self, space: str, caller: Principal) -> SpaceRole | None:
        """The caller's role in `space`, or None when they are not a member (or it is gone)."""
        ...
