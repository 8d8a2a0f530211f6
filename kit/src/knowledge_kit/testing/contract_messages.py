"""Reading and copying request and response messages by descriptor, for the contract suite."""

from __future__ import annotations

from collections.abc import Iterator

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message


def field_names(message: Descriptor | None) -> list[str]:
    """The field names of a message type (none for no type)."""
    return [] if message is None else [field.name for field in message.fields]


def copied(message: Message) -> Message:
    """A copy of `message` to change."""
    copy = type(message)()
    copy.CopyFrom(message)
    return copy


def strings_of(message: Message) -> Iterator[str]:
    """Every single string set in `message` and the messages inside it."""
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_STRING and not field.is_repeated:
            yield value
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not field.is_repeated:
            yield from strings_of(value)
