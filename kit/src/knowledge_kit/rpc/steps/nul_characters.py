"""RefuseNulCharacters: a request whose text holds a NUL character is INVALID_ARGUMENT naming the
field, for every method, before a handler can store it (PostgreSQL text cannot hold NUL, and a
driver error would reach the caller as INTERNAL)."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Awaitable
from typing import Any, cast

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from knowledge_kit.errors import FieldViolation, ValidationError
from knowledge_kit.rpc.call import RpcCall
from knowledge_kit.rpc.malformed import nul_free_request
from knowledge_kit.rpc.pipeline import BindingStep, Proceed

NUL = "\x00"
_STRING = FieldDescriptor.TYPE_STRING
_MESSAGE = FieldDescriptor.TYPE_MESSAGE


class RefuseNulCharacters(BindingStep):
    """Checks each request (each message of a request stream) for NUL in any string field."""

    def bind(self, proceed: Proceed) -> Proceed:
        noted = nul_free_request

        def refuse_nul_characters(call: RpcCall) -> Awaitable[Any]:
            request = call.request
            if request is noted.message:
                return proceed(call)  # its bytes held no zero byte
            if isinstance(request, Message):
                names = _flat_plans.get(type(request), _UNPLANNED)
                if names is _UNPLANNED:
                    names = _flat_plans[type(request)] = _flat_plan(request)
                if names is None:
                    _refuse_nul(request)
                else:
                    for name in names:
                        if NUL in getattr(request, name):
                            _refuse_nul(request)
            elif isinstance(request, AsyncIterator):
                call.request = _checked_stream(request)
            return proceed(call)

        return refuse_nul_characters


def nul_character_path(message: Message, prefix: str = "") -> str | None:
    """The path of the first string field of `message` holding NUL (`space.display_name`,
    `chunks[2].text`, `labels["k"]`), looking into set fields only; None when there is none."""
    for name, kind, entry in _text_fields(message):
        if kind is _Kind.TEXT:
            if NUL in getattr(message, name):
                return prefix + name
            continue
        value = getattr(message, name)
        if kind is _Kind.MESSAGE:
            found = (
                nul_character_path(value, f"{prefix}{name}.") if message.HasField(name) else None
            )
        elif kind is _Kind.TEXTS:
            found = _in_strings(value, prefix + name)
        elif kind is _Kind.MESSAGES:
            found = _in_messages(value, prefix + name)
        else:
            assert entry is not None
            found = _in_map(entry, value, prefix + name)
        if found is not None:
            return found
    return None


class _Kind(enum.Enum):
    TEXT = "text"
    TEXTS = "repeated text"
    MESSAGE = "message"
    MESSAGES = "repeated message"
    MAP = "map"


_TextField = tuple[str, _Kind, "Descriptor | None"]
_plans: dict[type[Message], tuple[_TextField, ...]] = {}


def _text_fields(message: Message) -> tuple[_TextField, ...]:
    """The fields of `message`'s type that can hold text, in field-number order (the order the
    walk reports the first NUL in); worked out once per type, not per request."""
    plan = _plans.get(type(message))
    if plan is None:
        # The upb and the pure-Python descriptors answer these questions alike.
        descriptor = cast(Descriptor, message.DESCRIPTOR)
        plan = _plans[type(message)] = tuple(
            field
            for field in map(_text_field, sorted(descriptor.fields, key=_number))
            if field is not None
        )
    return plan


_UNPLANNED = ("",)
_flat_plans: dict[type[Message], tuple[str, ...] | None] = {}


def _flat_plan(message: Message) -> tuple[str, ...] | None:
    """The names of the text fields of `message`'s type when each is a string field of its own
    (most requests: a membership test per field, in the step itself); None when some text is
    repeated or in a nested message or map (then the walk)."""
    fields = _text_fields(message)
    names = tuple(name for name, kind, _ in fields if kind is _Kind.TEXT)
    return names if len(names) == len(fields) else None


def _number(field: FieldDescriptor) -> int:
    return field.number


def _text_field(field: FieldDescriptor) -> _TextField | None:
    if field.type == _STRING:
        return (field.name, _Kind.TEXTS if field.is_repeated else _Kind.TEXT, None)
    entry = field.message_type
    if field.type != _MESSAGE or entry is None or not _may_hold_text(entry, set()):
        return None
    if entry.GetOptions().map_entry:
        return (field.name, _Kind.MAP, entry)
    return (field.name, _Kind.MESSAGES if field.is_repeated else _Kind.MESSAGE, None)


def _may_hold_text(descriptor: Descriptor, seen: set[str]) -> bool:
    if descriptor.full_name in seen:
        return False  # a recursive type holds text only if some other field of it does
    seen.add(descriptor.full_name)
    return any(
        field.type == _STRING
        or (
            field.type == _MESSAGE
            and field.message_type is not None
            and _may_hold_text(field.message_type, seen)
        )
        for field in descriptor.fields
    )


def _in_strings(texts: Any, path: str) -> str | None:
    for index, text in enumerate(texts):
        if NUL in text:
            return f"{path}[{index}]"
    return None


def _in_messages(messages: Any, path: str) -> str | None:
    for index, item in enumerate(messages):
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
    noted = nul_free_request
    async for request in requests:
        if request is not noted.message:
            _refuse_nul(request)
        yield request
