"""The chat WebSocket: ask, regenerate, resume, stop and typing, answered with the same events
as StreamAnswer.

Authenticated before the upgrade by the kit (token as subprotocol `bearer.<jwt>` next to
`knowledge.v1`, or as `?access_token=`). Every frame to a client goes through its bounded queue
(the kit's RoomHub): a client that stops reading is closed with 1013 (try again later) once the
queue is full, and resumes its answer from the last sequence it received. The close frame goes
out behind what was already written: a client sees 1013 if it reads again within the closing
handshake's 10 s, and is dropped without it (1006 on its side) after that. A text frame that is
not one of the protocol's gets an error frame; a binary frame closes the connection with 1003.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any

import structlog
from knowledge.chat.v1 import chat_service_pb2 as api
from knowledge_kit.auth.principal import Principal
from knowledge_kit.database.availability import database_unreachable
from knowledge_kit.errors import DomainError
from knowledge_kit.websocket import RoomHub, RoomMember
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from ..domain.names import CONVERSATION, owner_of
from ..proto_messages import message_message, stream_response
from ..service.answering import Answering
from .chat import stream_request
from .frames import (
    Busy,
    ClientFrame,
    Internal,
    Unavailable,
    error_frame,
    message_frame,
    parse_frame,
)

_log = structlog.get_logger("ms_chat.socket")
# Answers one connection may stream at once.
MAX_STREAMS = 4


class ChatSocket:
    def __init__(self, answering: Answering, hub: RoomHub, *, max_streams: int = MAX_STREAMS):
        self._answering = answering
        self._hub = hub
        self._max_streams = max_streams

    async def __call__(self, connection: ServerConnection, principal: Principal) -> None:
        member = self._hub.member(connection, principal)
        streams: set[asyncio.Task[None]] = set()
        try:
            async for frame in connection:
                if isinstance(frame, bytes):
                    await connection.close(CloseCode.UNSUPPORTED_DATA, "binary frames are not used")
                    return
                try:
                    self._handle(member, principal, parse_frame(frame), streams)
                except DomainError as refused:
                    member.offer(error_frame(refused, _frame_id(frame)))
        except ConnectionClosed:
            return
        finally:
            for task in streams:
                task.cancel()
            await asyncio.gather(*streams, return_exceptions=True)
            await self._hub.leave_all(member)

    def _handle(
        self,
        member: RoomMember,
        principal: Principal,
        frame: ClientFrame,
        streams: set[asyncio.Task[None]],
    ) -> None:
        if frame.type == "typing":
            CONVERSATION.check(frame.name, "conversation")
            if owner_of(frame.name) == principal.name:  # others' conversations: said nothing
                self._hub.join(frame.name, member)
                typing = json.dumps({"typing": {"conversation": frame.name}})
                self._hub.broadcast(frame.name, typing, exclude=member)
            return
        if len(streams) >= self._max_streams:
            raise Busy(f"at most {self._max_streams} answers stream at once on one connection")
        if frame.type == "stop":
            work = self._stop(member, principal, frame)
        else:
            assert frame.stream is not None
            if owner_of(frame.stream.parent) == principal.name:
                self._hub.join(frame.stream.parent, member)
            work = self._stream(member, principal, frame.stream, frame.id)
        task = asyncio.create_task(self._guarded(member, work, frame.id))
        streams.add(task)
        task.add_done_callback(streams.discard)

    async def _stream(
        self,
        member: RoomMember,
        principal: Principal,
        request: api.StreamAnswerRequest,
        frame_id: str,
    ) -> None:
        answer, after = await self._answering.start(principal, stream_request(request))
        async for event in self._answering.follow(principal.name, answer, after):
            if not member.offer(message_frame(stream_response(event))):
                return  # too slow, and closed: it resumes from its last sequence

    async def _stop(self, member: RoomMember, principal: Principal, frame: ClientFrame) -> None:
        answer = await self._answering.stop(principal.name, frame.name)
        member.offer(json.dumps({"stopped": json.loads(message_frame(message_message(answer)))}))

    async def _guarded(
        self, member: RoomMember, work: Coroutine[Any, Any, None], frame_id: str
    ) -> None:
        """Runs a frame's work; what it refuses becomes an error frame, never a crash."""
        try:
            await work
        except DomainError as refused:
            member.offer(error_frame(refused, frame_id))
        except Exception as failure:
            if database_unreachable(failure):
                unavailable = Unavailable("the chat's database is unavailable; try again later")
                member.offer(error_frame(unavailable, frame_id))
                return
            _log.exception("chat_socket_failed")
            member.offer(error_frame(Internal("internal error"), frame_id))


def _frame_id(frame: str) -> str:
    try:
        value = json.loads(frame)
    except ValueError:
        return ""
    frame_id = value.get("id", "") if isinstance(value, dict) else ""
    return frame_id if isinstance(frame_id, str) and len(frame_id) <= 64 else ""
