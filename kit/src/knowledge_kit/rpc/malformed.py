"""Request bytes that do not parse become INVALID_ARGUMENT naming the expected message.

grpc.aio deserializes a unary request before any handler runs and turns whatever the
deserializer raises into UNKNOWN, sending the exception's class and logging a traceback
(`_handle_exceptions` in its server). So the wrapped deserializer of a unary request returns a
`MalformedRequest` for the handler to refuse; a streamed request is deserialized while the
handler iterates, so there the wrapped deserializer raises the ValidationError itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.message import DecodeError

from knowledge_kit.errors import ValidationError

Deserializer = Callable[[bytes], Any]


class MalformedRequest:
    """Stands in for a unary request whose bytes are not a `message_name`."""

    __slots__ = ("message_name",)

    def __init__(self, message_name: str) -> None:
        self.message_name = message_name

    def error(self) -> ValidationError:
        """The error the caller gets: which message the bytes should have been."""
        return ValidationError(f"the request is not a valid {self.message_name} message")


class NulFreeRequest:
    """The request message deserialized last, when its bytes held no zero byte: then no text in
    it holds NUL (UTF-8 writes NUL as a zero byte, and the wire format carries a string's bytes
    as they are), and the NUL check need not read its fields. grpc.aio runs a unary method's
    handler right after deserializing its request, and hands a stream's handler each message
    right after deserializing it, with no await between, so a step that runs before any await
    of its own finds its request here; any other request is checked field by field."""

    __slots__ = ("message",)

    def __init__(self) -> None:
        self.message: object = None


nul_free_request = NulFreeRequest()


def guarded_deserializer(deserializer: Deserializer | None, streaming: bool) -> Deserializer | None:
    """`deserializer`, with bytes that do not parse refused as described above, noting a message
    whose bytes hold no zero byte in `nul_free_request`."""
    if deserializer is None:
        return None
    refusal = MalformedRequest(_message_name(deserializer))
    noted = nul_free_request

    def deserialize(data: bytes) -> Any:
        try:
            message = deserializer(data)
        except DecodeError:
            if streaming:
                raise refusal.error() from None
            return refusal
        if b"\x00" not in data:
            noted.message = message
        return message

    return deserialize


def _message_name(deserializer: Deserializer) -> str:
    # Generated code passes the message class's bound `FromString`.
    message_class = getattr(deserializer, "__self__", None)
    descriptor = getattr(message_class, "DESCRIPTOR", None)
    full_name = getattr(descriptor, "full_name", None)
    return full_name if isinstance(full_name, str) else "request"
