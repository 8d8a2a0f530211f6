"""Hostile request payloads for one message type, generated from its descriptor: bytes that do
not parse, the empty message, and one field at a time set to a huge or extreme value (on a seed
request when one is given, so the cases get past the checks an empty request fails)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

HUGE_TEXT_CHARS = 65_536
# Nested messages are followed this deep (Struct and Value nest each other forever).
MAX_DEPTH = 3

# Each one is refused by any message's parser.
MALFORMED = (
    ("a length running past the end", b"\x0a\x7f\x01"),
    ("a truncated varint", b"\x08"),
    ("field number 0", b"\x00"),
    ("wire type 7", b"\x0f"),
    ("an eleven-byte varint", b"\x08" + b"\xff" * 10 + b"\x01"),
)

_T = FieldDescriptor
_INT32 = (-1, -(2**31), 2**31 - 1)
_INT64 = (-1, -(2**63), 2**63 - 1)
_EXTREMES: dict[int, tuple[Any, ...]] = {
    _T.TYPE_STRING: ("x" * HUGE_TEXT_CHARS, "\x00\u202e\U0001f642/../%00"),
    _T.TYPE_BYTES: (b"\xff" * HUGE_TEXT_CHARS,),
    _T.TYPE_INT32: _INT32,
    _T.TYPE_SINT32: _INT32,
    _T.TYPE_SFIXED32: _INT32,
    _T.TYPE_INT64: _INT64,
    _T.TYPE_SINT64: _INT64,
    _T.TYPE_SFIXED64: _INT64,
    _T.TYPE_UINT32: (2**32 - 1,),
    _T.TYPE_FIXED32: (2**32 - 1,),
    _T.TYPE_UINT64: (2**64 - 1,),
    _T.TYPE_FIXED64: (2**64 - 1,),
    _T.TYPE_DOUBLE: (-1.0, float("inf"), float("nan"), 1e308),
    _T.TYPE_FLOAT: (-1.0, float("inf"), float("nan")),
    _T.TYPE_BOOL: (True,),
    _T.TYPE_ENUM: (-1, 1_000_000),
}


@dataclass(frozen=True, slots=True)
class FuzzCase:
    """One request to send: what it is (for failure messages) and its bytes."""

    what: str
    payload: bytes


def fuzz_cases(message: Descriptor, limit: int, seed: Message | None = None) -> list[FuzzCase]:
    """At most `limit` cases for `message`: the malformed ones and the empty message first, then
    the fields' extreme values taken in turns, so that a small limit still reaches every field."""
    cases = [FuzzCase(f"bytes with {what}", payload) for what, payload in MALFORMED]
    cases.append(FuzzCase("the empty message", b""))
    start = message_factory.GetMessageClass(message)()
    if seed is not None:
        start.CopyFrom(seed)
    fields = _field_cases(start, message, ())
    cases.extend(itertools.islice(fields, max(limit - len(cases), 0)))
    return cases[:limit]


def _field_cases(
    start: Message, message: Descriptor, path: tuple[FieldDescriptor, ...]
) -> Iterator[FuzzCase]:
    turns: list[Iterator[FuzzCase]] = []
    for field in message.fields:
        where = (*path, field)
        nested = field.message_type
        if nested is not None:
            if nested.GetOptions().map_entry or len(where) >= MAX_DEPTH:
                continue
            turns.append(_field_cases(start, nested, where))
        else:
            turns.append(_value_cases(start, where))
    for case in itertools.chain.from_iterable(itertools.zip_longest(*turns)):
        if case is not None:
            yield case


def _value_cases(start: Message, path: tuple[FieldDescriptor, ...]) -> Iterator[FuzzCase]:
    name = ".".join(field.name for field in path)
    leaf = path[-1]
    if leaf.type == _T.TYPE_STRING:
        # Appended bytes merge into the message: the last value of a field wins.
        yield FuzzCase(f"{name} not UTF-8", start.SerializeToString() + _invalid_utf8(path))
    for value in _EXTREMES[leaf.type]:
        payload = _with_value(start, path, value)
        if payload is not None:
            yield FuzzCase(f"{name} = {_shown(value)}", payload)


def _with_value(start: Message, path: tuple[FieldDescriptor, ...], value: Any) -> bytes | None:
    request = type(start)()
    request.CopyFrom(start)
    holder: Message = request
    for field in path[:-1]:
        inner = getattr(holder, field.name)
        holder = inner.add() if field.is_repeated else inner
    leaf = path[-1]
    try:
        if leaf.is_repeated:
            getattr(holder, leaf.name).append(value)
        else:
            setattr(holder, leaf.name, value)
    except (TypeError, ValueError):  # e.g. a closed (proto2) enum refusing an unknown number
        return None
    return request.SerializeToString()


def _invalid_utf8(path: tuple[FieldDescriptor, ...]) -> bytes:
    """The wire bytes of `path` holding a string that is not UTF-8 (no parser accepts it)."""
    encoded = b"\xff\xfe"
    for field in reversed(path):
        encoded = _varint(field.number << 3 | 2) + _varint(len(encoded)) + encoded
    return encoded


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else f"{shown[:30]}… ({len(value)} long)"
