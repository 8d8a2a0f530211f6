"""Awareness updates on the wire: varuint count, then per entry varuint client id, varuint
clock and the state as a JSON string ("null" once the client is gone)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ...domain.presence import AwarenessEntry
from .lib0 import Decoder, MalformedMessage, var_string, var_uint


def parse_awareness_update(update: bytes) -> list[AwarenessEntry]:
    """The entries of an awareness update; MalformedMessage if it is not one."""
    decoder = Decoder(update)
    count = decoder.read_var_uint()
    entries = []
    for _ in range(count):
        client_id = decoder.read_var_uint()
        clock = decoder.read_var_uint()
        state = decoder.read_var_string()
        try:
            json.loads(state)
        except ValueError:
            raise MalformedMessage(f"awareness state of client {client_id} is not JSON") from None
        entries.append(AwarenessEntry(client_id, clock, state))
    if not decoder.exhausted:
        raise MalformedMessage("trailing bytes after the awareness entries")
    return entries


def encode_awareness_update(entries: Sequence[AwarenessEntry]) -> bytes:
    """The awareness update carrying `entries`."""
    parts = [var_uint(len(entries))]
    for entry in entries:
        parts += [var_uint(entry.client_id), var_uint(entry.clock), var_string(entry.state)]
    return b"".join(parts)
