"""Rooms of connected clients, each with a bounded send queue drained by its own sender task."""

from __future__ import annotations

import asyncio
import enum
from collections import defaultdict

import structlog
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from knowledge_kit.auth.principal import Principal

Frame = str | bytes
_log = structlog.get_logger("knowledge_kit.websocket")


class SlowClientPolicy(enum.Enum):
    """What to do when a client's send queue is full."""

    DROP = "drop"  # drop the new message (fine for presence, cursors)
    DISCONNECT = "disconnect"  # close the connection (needed when every message matters)


class RoomMember:
    """One connected client. `offer` never blocks and never grows memory past `queue_size`."""

    def __init__(
        self,
        connection: ServerConnection,
        principal: Principal,
        *,
        queue_size: int,
        policy: SlowClientPolicy,
    ) -> None:
        self.connection = connection
        self.principal = principal
        self.policy = policy
        self.dropped = 0
        self._queue: asyncio.Queue[Frame] = asyncio.Queue(maxsize=queue_size)
        self._sender = asyncio.create_task(self._send_queued())
        self._closing: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        """Messages waiting to be written to this client."""
        return self._queue.qsize()

    def offer(self, frame: Frame) -> bool:
        """Queue `frame` for this client; False if it was dropped or the client was disconnected."""
        try:
            self._queue.put_nowait(frame)
            return True
        except asyncio.QueueFull:
            self.dropped += 1
            if self.policy is SlowClientPolicy.DISCONNECT and self._closing is None:
                _log.warning("websocket_slow_client_disconnected", principal=self.principal.name)
                self._sender.cancel()
                self._closing = asyncio.create_task(
                    self.connection.close(CloseCode.TRY_AGAIN_LATER, "too slow to keep up")
                )
            return False

    async def _send_queued(self) -> None:
        try:
            while True:
                await self.connection.send(await self._queue.get())
        except ConnectionClosed:
            return

    async def close(self) -> None:
        """Stop sending (the connection itself is closed by whoever owns it)."""
        self._sender.cancel()
        await asyncio.gather(self._sender, return_exceptions=True)


class RoomHub:
    """Which members are in which room; `broadcast` queues a frame for every member of a room."""

    def __init__(
        self, *, queue_size: int = 256, policy: SlowClientPolicy = SlowClientPolicy.DISCONNECT
    ) -> None:
        if queue_size < 1:
            raise ValueError(f"queue_size must be at least 1, got {queue_size}")
        self.queue_size = queue_size
        self.policy = policy
        self._rooms: defaultdict[str, set[RoomMember]] = defaultdict(set)

    def member(self, connection: ServerConnection, principal: Principal) -> RoomMember:
        """A member for a new connection, with this hub's queue size and slow-client policy."""
        return RoomMember(connection, principal, queue_size=self.queue_size, policy=self.policy)

    def join(self, room: str, member: RoomMember) -> None:
        """Add `member` to `room`."""
        self._rooms[room].add(member)

    def leave(self, room: str, member: RoomMember) -> None:
        """Remove `member` from `room` (forgetting empty rooms)."""
        members = self._rooms.get(room)
        if members is not None:
            members.discard(member)
            if not members:
                del self._rooms[room]

    async def leave_all(self, member: RoomMember) -> None:
        """Remove `member` from every room and stop its sender (call when it disconnects)."""
        for room in [room for room, members in self._rooms.items() if member in members]:
            self.leave(room, member)
        await member.close()

    def members(self, room: str) -> frozenset[RoomMember]:
        """The members of `room` right now."""
        return frozenset(self._rooms.get(room, ()))

    def broadcast(self, room: str, frame: Frame, *, exclude: RoomMember | None = None) -> int:
        """Queue `frame` for every member of `room` but `exclude`; returns how many took it."""
        return sum(member.offer(frame) for member in self.members(room) if member is not exclude)
