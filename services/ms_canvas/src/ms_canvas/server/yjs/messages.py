"""The y-websocket messages (y-protocols sync and awareness inside a message-type varint).

messageSync 0:      varuint 0, then varuint 0 (step 1, state vector) | 1 (step 2, update)
                    | 2 (update), then the payload as var bytes
messageAwareness 1: varuint 1, then an awareness update as var bytes
messageAuth 2:      sent by servers only (permission denied); refused from clients
messageQueryAwareness 3: varuint 3, nothing else
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .lib0 import Decoder, MalformedMessage, var_bytes, var_string, var_uint


class MessageType(enum.IntEnum):
    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3


PERMISSION_DENIED = 0  # the one auth message y-protocols defines


class SyncStep(enum.IntEnum):
    STEP_1 = 0
    STEP_2 = 1
    UPDATE = 2


@dataclass(frozen=True)
class SyncMessage:
    step: SyncStep
    payload: bytes  # a state vector for step 1, a Yjs update otherwise


@dataclass(frozen=True)
class AwarenessMessage:
    update: bytes


@dataclass(frozen=True)
class QueryAwarenessMessage:
    pass


ClientMessage = SyncMessage | AwarenessMessage | QueryAwarenessMessage


class UnsupportedMessage(MalformedMessage):
    """A well-formed varint naming a message type this server does not accept from clients."""


def parse_client_message(data: bytes) -> ClientMessage:
    """One message a y-websocket client sent; MalformedMessage or UnsupportedMessage if not."""
    decoder = Decoder(data)
    kind = decoder.read_var_uint()
    message: ClientMessage
    if kind == MessageType.SYNC:
        step = decoder.read_var_uint()
        if step not in SyncStep._value2member_map_:
            raise UnsupportedMessage(f"unknown sync step {step}")
        message = SyncMessage(SyncStep(step), decoder.read_var_bytes())
    elif kind == MessageType.AWARENESS:
        message = AwarenessMessage(decoder.read_var_bytes())
    elif kind == MessageType.QUERY_AWARENESS:
        message = QueryAwarenessMessage()
    else:
        raise UnsupportedMessage(f"unknown message type {kind}")
    if not decoder.exhausted:
        raise MalformedMessage("trailing bytes after the message")
    return message


def sync_step_1(state_vector: bytes) -> bytes:
    """The server's state vector: 'send me what I lack'."""
    return var_uint(MessageType.SYNC) + var_uint(SyncStep.STEP_1) + var_bytes(state_vector)


def sync_step_2(update: bytes) -> bytes:
    """What the peer lacks, in answer to its step 1."""
    return var_uint(MessageType.SYNC) + var_uint(SyncStep.STEP_2) + var_bytes(update)


def sync_update(update: bytes) -> bytes:
    """An incremental update for peers already in sync."""
    return var_uint(MessageType.SYNC) + var_uint(SyncStep.UPDATE) + var_bytes(update)


def awareness_message(update: bytes) -> bytes:
    """An awareness update (presence, cursors) for clients."""
    return var_uint(MessageType.AWARENESS) + var_bytes(update)


def permission_denied(reason: str) -> bytes:
    """Tells a client its document updates are refused (y-websocket logs the reason)."""
    return var_uint(MessageType.AUTH) + var_uint(PERMISSION_DENIED) + var_string(reason)
