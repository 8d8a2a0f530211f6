"""What the use cases need from the outside world; the repository and the server implement it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from knowledge_kit.auth.principal import Principal

from .access import SpaceRole
from .canvases import Canvas
from .events import CanvasEvent
from .instances import Holding
from .presence import AwarenessEntry


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


class CanvasUpdateLog(Protocol):
    async def load(self, canvas: str) -> StoredState: ...
    async def compact(self, canvas: str) -> int:
        """Merge the snapshot and every update into a new snapshot; how many updates it took."""
        ...


class CanvasUnitOfWork(Protocol):
    """`async with work: ...; await work.commit()`; leaving without commit rolls everything
    back, the events recorded in it included."""

    @property
    def canvases(self) -> CanvasRepository: ...

    @property
    def updates(self) -> CanvasUpdateLog: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def record(self, event: CanvasEvent) -> None:
        """Publish `event` to other services if, and only if, this unit of work commits."""
        ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], CanvasUnitOfWork]


class UpdateAppender(Protocol):
    async def append(self, updates: Sequence[StoredUpdate]) -> dict[str, int]:
        """Store updates in order; the new revision of each canvas they touched."""
        ...


class SpaceRoles(Protocol):
    async def role_of(self, space: str, caller: Principal) -> SpaceRole | None:
        """The caller's role in `space`, or None when they are not a member (or it is gone)."""
        ...


class InstanceChannel(Protocol):
    """The other ms_canvas instances: what this one tells them."""

    async def publish(self, canvas: str, update: bytes, author: str) -> None: ...

    async def announce(self, canvas: str, holding: Holding, state_vector: bytes = b"") -> None: ...

    async def stop(self) -> None: ...


class RoomWire(Protocol):
    """Encodes what a room sends its peers, once per broadcast."""

    def update_frame(self, update: bytes) -> bytes: ...

    def awareness_frame(self, entries: Sequence[AwarenessEntry]) -> bytes: ...


class Peer(Protocol):
    """One connection on a canvas, as the room sees it."""

    def send_frame(self, frame: bytes) -> bool:
        """Send a frame the room's wire encoded; False if the peer is gone or too slow."""
        ...

    async def disconnect(self, reason: str) -> None:
        """Close the connection: the canvas is gone."""
        ...
