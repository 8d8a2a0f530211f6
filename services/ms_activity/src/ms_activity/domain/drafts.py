"""An activity as an event gives it, before the envelope's id, time and source are added."""

from __future__ import annotations

from dataclasses import dataclass

Properties = dict[str, str]


@dataclass(frozen=True, slots=True)
class Draft:
    """One activity of an event, before the envelope's parts (id, time, source) are added."""

    actor: str
    actor_display_name: str
    verb: str
    subject: str
    space: str
    properties: Properties
