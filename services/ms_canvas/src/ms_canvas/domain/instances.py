"""What ms_canvas instances tell each other about the canvases they hold open."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Holding(enum.Enum):
    OPENED = "opened"  # loaded from storage just now: send me what I lack
    STILL = "still"  # a heartbeat
    RELEASED = "released"  # no longer held here


@dataclass(frozen=True, slots=True)
class HoldingNotice:
    """Instance `instance` holds (or let go of) `canvas`, with the state vector it has of it."""

    canvas: str
    instance: str
    holding: Holding
    state_vector: bytes = b""


@dataclass(frozen=True, slots=True)
class RelayedUpdate:
    """A stored Yjs update of `canvas`, passed on by the instance it was stored through."""

    canvas: str
    update: bytes
    origin_instance: str
    author: str
