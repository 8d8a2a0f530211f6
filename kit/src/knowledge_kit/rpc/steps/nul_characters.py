"""RefuseNulCharacters: a request whose text holds a NUL character is INVALID_ARGUMENT naming the
field, for every method, before a handler can store it (PostgreSQL text cannot hold NUL, and a
driver error would reach the caller as INTERNAL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from knowledge_kit.errors import FieldViolation, ValidationError
from knowledge_kit.rpc.call import RpcCall
from knowledge_kit.rpc.pipeline import Proceed

NUL = "\x00"
_STRING = FieldDescriptor.TYPE_STRING
_MESSAGE = FieldDescriptor.TYPE_MESSAGE


class RefuseNulCharacters:
    """Checks each request (each message of a request stream) for NUL in any string field."""

    async def __call__(self, call: RpcCall, proceed: Proceed) -> Any:
        request = call.request
        if isinstance(request, Message):
            _refuse_nul(request)
        elif isinstance(request, AsyncIterator):
            call.request = _checked_stream(request)
        return await proceed(call)


def nul_character_path(message: Message, prefix: str = "") -> str | None:
    """The path of the first string field of `message` holding NUL (`space.display_name`,
    `chunks[2].text`, `labels["k"]`), looking into set fields only; None when there is none."""
    for field, value in message.ListFields():
        if field.type == _STRING:
            found = _in_strings(field, value, prefix)
        elif field.type == _MESSAGE:
            found = _in_messages(field, value, prefix)
        else:
            continue
        if found is not None:
            return found
    return None


def _in_strings(field: FieldDescriptor, value: Any, prefix: str) -> str | None:
    path = prefix + field.name
    if not field.is_repeated:
        return path if NUL in value else None
    for index, text in enumerate(value):
        if NUL in text:
            return f"{path}[{index}]"
    return None


def _in_messages(field: FieldDescriptor, value: Any, prefix: str) -> str | None:
    path = prefix + field.name
    entry = field.message_type
    if entry is not None and entry.GetOptions().map_entry:
        return _in_map(entry, value, path)
    if not field.is_repeated:
        return nul_character_path(value, f"{path}.")
    for index, item in enumerate(value):
        found = nul_character_path(item, f"{path}[{index}].")
        if found is not None:
            return found
    return None


def _in_map(entry: Descriptor, entries: Any, path: str) -> str | None:
    key_type = entry.fields_by_name["key"].type
    value_field = entry.fields_by_name["value"]
    for key, value in entries.items():
        if key_type == _STRING and NUL in key:
            return path  # the key itself cannot be quoted as a path
        where = f"{path}[{key!r}]"
        if value_field.type == _STRING and NUL in value:
            return where
        if value_field.type == _MESSAGE:
            found = nul_character_path(value, f"{where}.")
            if found is not None:
                return found
    return None


def _refuse_nul(request: Message) -> None:
    path = nul_character_path(request)
    if path is not None:
        raise ValidationError(
            f"{path} holds a NUL character (\\x00), which text may not contain",
            [FieldViolation(path, "must not contain NUL characters")],
        )


async def _checked_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for request in requests:
        _refuse_nul(request)
        yield request
