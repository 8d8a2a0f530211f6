"""The y-websocket wire format: lib0 varints, sync and awareness messages, as yjs writes them."""

from __future__ import annotations

import pytest

from ms_canvas.server.yjs.lib0 import Decoder, MalformedMessage, var_bytes, var_uint
from ms_canvas.server.yjs.messages import (
    AwarenessMessage,
    QueryAwarenessMessage,
    SyncMessage,
    SyncStep,
    UnsupportedMessage,
    parse_client_message,
    sync_step_1,
    sync_step_2,
    sync_update,
)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, b"\x00"),
        (127, b"\x7f"),
        (128, b"\x80\x01"),
        (300, b"\xac\x02"),
        (2**53 - 1, b"\xff" * 7 + b"\x0f"),
    ],
)
def test_varints_round_trip_as_lib0_writes_them(value: int, encoded: bytes) -> None:
    assert var_uint(value) == encoded
    assert Decoder(encoded).read_var_uint() == value


def test_a_truncated_varint_is_malformed() -> None:
    with pytest.raises(MalformedMessage, match="truncated varint"):
        Decoder(b"\x80\x80").read_var_uint()


def test_a_byte_array_longer_than_the_message_is_malformed() -> None:
    with pytest.raises(MalformedMessage, match="runs past the message end"):
        Decoder(b"\x05ab").read_var_bytes()


def test_sync_messages_round_trip() -> None:
    assert parse_client_message(sync_step_1(b"\x00")) == SyncMessage(SyncStep.STEP_1, b"\x00")
    assert parse_client_message(sync_step_2(b"\x00\x00")) == SyncMessage(
        SyncStep.STEP_2, b"\x00\x00"
    )
    assert parse_client_message(sync_update(b"u")) == SyncMessage(SyncStep.UPDATE, b"u")


def test_awareness_and_query_awareness_are_read() -> None:
    assert parse_client_message(b"\x01" + var_bytes(b"\x00")) == AwarenessMessage(b"\x00")
    assert parse_client_message(b"\x03") == QueryAwarenessMessage()


@pytest.mark.parametrize("frame", [b"\x02\x00", b"\x07", b"\x00\x05\x00"])
def test_unknown_message_types_and_sync_steps_are_unsupported(frame: bytes) -> None:
    with pytest.raises(UnsupportedMessage):
        parse_client_message(frame)


def test_trailing_bytes_are_malformed() -> None:
    with pytest.raises(MalformedMessage, match="trailing bytes"):
        parse_client_message(b"\x03\x00")
