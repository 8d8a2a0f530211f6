"""The gRPC-web wire format: length-prefixed frames, trailers in a final frame, optional base64."""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Iterable

DATA_FRAME = 0x00
TRAILER_FRAME = 0x80
COMPRESSED_FLAG = 0x01
HEADER = struct.Struct(">BI")

BINARY_TYPES = ("application/grpc-web", "application/grpc-web+proto")
TEXT_TYPES = ("application/grpc-web-text", "application/grpc-web-text+proto")


class GrpcWebProtocolError(ValueError):
    """The browser sent something that is not a well-formed gRPC-web request."""


def is_text_mode(content_type: str) -> bool:
    return content_type.split(";")[0].strip() in TEXT_TYPES


def is_grpc_web(content_type: str) -> bool:
    return content_type.split(";")[0].strip() in (*BINARY_TYPES, *TEXT_TYPES)


def decode_request(body: bytes, *, text: bool) -> bytes:
    """The single request message of a unary or server-streaming call."""
    if text:
        try:
            body = base64.b64decode(body, validate=True)
        except binascii.Error:
            raise GrpcWebProtocolError("request body is not valid base64 (grpc-web-text)") from None
    if len(body) < HEADER.size:
        raise GrpcWebProtocolError(
            f"request body has {len(body)} bytes, shorter than a frame header"
        )
    flags, length = HEADER.unpack_from(body)
    if flags & TRAILER_FRAME:
        raise GrpcWebProtocolError("request starts with a trailer frame instead of a message")
    if flags & COMPRESSED_FLAG:
        raise GrpcWebProtocolError("compressed request messages are not supported")
    payload = body[HEADER.size : HEADER.size + length]
    if len(payload) != length:
        raise GrpcWebProtocolError(
            f"request frame announces {length} bytes but carries {len(payload)}"
        )
    if len(body) != HEADER.size + length:
        raise GrpcWebProtocolError("request carries more than one message (client streaming)")
    return payload


def message_frame(message: bytes, *, text: bool) -> bytes:
    return _encode(HEADER.pack(DATA_FRAME, len(message)) + message, text=text)


def trailer_frame(trailers: Iterable[tuple[str, str]], *, text: bool) -> bytes:
    block = "".join(f"{key}:{value}\r\n" for key, value in trailers).encode()
    return _encode(HEADER.pack(TRAILER_FRAME, len(block)) + block, text=text)


def _encode(frame: bytes, *, text: bool) -> bytes:
    return base64.b64encode(frame) if text else frame
