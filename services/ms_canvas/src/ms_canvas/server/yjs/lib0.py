"""lib0's binary encoding as y-websocket uses it: unsigned LEB128 varints and length-prefixed
byte arrays and UTF-8 strings."""

from __future__ import annotations

MAX_VARINT_BYTES = 8  # lib0 reads at most 53 bits (JavaScript's safe integers)


class MalformedMessage(ValueError):
    """The bytes are not a well-formed y-websocket message."""


class Decoder:
    """Reads lib0 values from `data` front to back; any overrun is a MalformedMessage."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._position = 0

    @property
    def exhausted(self) -> bool:
        """True when every byte has been read."""
        return self._position >= len(self._data)

    def read_var_uint(self) -> int:
        """One unsigned varint (7 bits per byte, least significant first)."""
        value = 0
        for index in range(MAX_VARINT_BYTES):
            if self._position >= len(self._data):
                raise MalformedMessage("truncated varint")
            byte = self._data[self._position]
            self._position += 1
            value |= (byte & 0x7F) << (7 * index)
            if byte < 0x80:
                return value
        raise MalformedMessage(f"varint longer than {MAX_VARINT_BYTES} bytes")

    def read_var_bytes(self) -> bytes:
        """A byte array prefixed with its length as a varint."""
        length = self.read_var_uint()
        end = self._position + length
        if end > len(self._data):
            raise MalformedMessage(f"byte array of {length} bytes runs past the message end")
        chunk = self._data[self._position : end]
        self._position = end
        return chunk

    def read_var_string(self) -> str:
        """A UTF-8 string prefixed with its byte length."""
        try:
            return self.read_var_bytes().decode("utf-8")
        except UnicodeDecodeError as problem:
            raise MalformedMessage(f"string is not UTF-8: {problem.reason}") from None


def var_uint(value: int) -> bytes:
    """`value` as an unsigned varint."""
    if value < 0:
        raise ValueError(f"varints are unsigned, got {value}")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def var_bytes(data: bytes) -> bytes:
    """`data` prefixed with its length."""
    return var_uint(len(data)) + data


def var_string(text: str) -> bytes:
    """`text` as length-prefixed UTF-8."""
    return var_bytes(text.encode("utf-8"))
