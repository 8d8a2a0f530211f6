"""The filters a timeline or an aggregate takes, checked: at most 50 values per list, each a
bounded text, properties at most 16 pairs. Unknown values are no error: they match nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from knowledge_kit.errors import FieldViolation, ValidationError

from .reported import MAX_KEY_CHARS, MAX_PROPERTIES, MAX_VALUE_CHARS

MAX_VALUES = 50
MAX_VALUE_LENGTH = 512


@dataclass(frozen=True, slots=True)
class Filters:
    """Keep only activities with one of these values in each non-empty list (and every one
    of the property pairs)."""

    event_types: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)

    def listing(self) -> list[str]:
        """What a page token of a listing with these filters is bound to."""
        pairs = [f"{key}={value}" for key, value in sorted(self.properties.items())]
        return [
            ",".join(sorted(values))
            for values in (self.event_types, self.verbs, self.actors, self.sources, pairs)
        ]


def checked_filters(
    *,
    event_types: Sequence[str] = (),
    verbs: Sequence[str] = (),
    actors: Sequence[str] = (),
    sources: Sequence[str] = (),
    properties: Mapping[str, str] | None = None,
) -> Filters:
    for name, values in (
        ("event_types", event_types),
        ("verbs", verbs),
        ("actors", actors),
        ("sources", sources),
    ):
        _check_values(name, values)
    pairs = dict(properties or {})
    if len(pairs) > MAX_PROPERTIES:
        raise _refused("properties", f"must hold at most {MAX_PROPERTIES} pairs")
    for key, value in pairs.items():
        if not key or len(key) > MAX_KEY_CHARS or len(value) > MAX_VALUE_CHARS:
            raise _refused(
                f"properties[{key[:40]}]",
                f"keys must be 1 to {MAX_KEY_CHARS} characters, values at most {MAX_VALUE_CHARS}",
            )
    return Filters(
        tuple(dict.fromkeys(event_types)),
        tuple(dict.fromkeys(verbs)),
        tuple(dict.fromkeys(actors)),
        tuple(dict.fromkeys(sources)),
        pairs,
    )


def _check_values(name: str, values: Sequence[str]) -> None:
    if len(values) > MAX_VALUES:
        raise _refused(name, f"must hold at most {MAX_VALUES} values")
    for index, value in enumerate(values):
        if not value or len(value) > MAX_VALUE_LENGTH:
            raise _refused(f"{name}[{index}]", f"must be 1 to {MAX_VALUE_LENGTH} characters")


def _refused(field_path: str, description: str) -> ValidationError:
    return ValidationError(f"{field_path} {description}", [FieldViolation(field_path, description)])
