"""Renders the topic catalogue (topics.yaml) as a typed Python module shipped in knowledge-protos."""

from __future__ import annotations

import inspect

from fleet.errors import FleetError
from fleet.topics import TopicCatalogue, dead_letter_topic

TOPICS_PACKAGE = "knowledge.topics"
"""Import path of the generated module: `from knowledge.topics import DOCUMENTS...`."""

_HEADER = '''"""Every Kafka topic of the platform and the event types that travel on it.

Generated from proto-registry/topics.yaml by `fleet protos build`; do not edit. Each record's
value is a knowledge.common.v1.EventEnvelope whose `type` is one of the topic's event types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class Topic:
    """One Kafka topic: who writes it, how records are keyed, which events travel on it."""

    name: str
    owner: str
    description: str
    key: str
    partitions: int
    retention_hours: int
    event_types: tuple[str, ...]

'''

_FOOTER = '''

def topic_for_event(event_type: str) -> Topic:
    """The topic an event type (a full message name) is published on."""
    try:
        return TOPIC_OF_EVENT_TYPE[event_type]
    except KeyError:
        raise KeyError(f"no topic carries event type {event_type!r}") from None


def topics_owned_by(service: str) -> tuple[Topic, ...]:
    """The topics a service (e.g. ms_knowledge) produces."""
    return tuple(topic for topic in ALL_TOPICS if topic.owner == service)

'''


def constant_name(topic: str) -> str:
    """auth.users.v1 -> AUTH_USERS_V1."""
    return topic.replace(".", "_").upper()


def render_topics_module(catalogue: TopicCatalogue) -> str:
    """Python source declaring one constant per topic plus lookups by name and by event type."""
    carriers: dict[str, str] = {}
    for name, topic in catalogue.topics.items():
        for event in topic.events:
            if event in carriers:
                raise FleetError(
                    f"topics.yaml: event {event} is listed on both {carriers[event]} and {name}; "
                    "each event type travels on exactly one topic"
                )
            carriers[event] = name
    parts = [_HEADER]
    for name, topic in catalogue.topics.items():
        events = "".join(f"        {event!r},\n" for event in topic.events)
        parts.append(
            f"{constant_name(name)}: Final = Topic(\n"
            f"    name={name!r},\n"
            f"    owner={topic.owner!r},\n"
            f"    description={topic.description!r},\n"
            f"    key={topic.key!r},\n"
            f"    partitions={topic.partitions},\n"
            f"    retention_hours={topic.retention_hours},\n"
            f"    event_types=(\n{events}    ),\n"
            ")\n"
        )
    members = "".join(f"    {constant_name(name)},\n" for name in catalogue.topics)
    parts.append(f"\nALL_TOPICS: Final[tuple[Topic, ...]] = (\n{members})\n")
    parts.append(
        "TOPICS_BY_NAME: Final[Mapping[str, Topic]] = MappingProxyType(\n"
        "    {topic.name: topic for topic in ALL_TOPICS}\n)\n"
        "TOPIC_OF_EVENT_TYPE: Final[Mapping[str, Topic]] = MappingProxyType(\n"
        "    {event: topic for topic in ALL_TOPICS for event in topic.event_types}\n)\n"
    )
    parts.append(_FOOTER)
    # One definition of the dead-letter convention: the fleet's own, copied verbatim.
    parts.append("\n" + inspect.getsource(dead_letter_topic))
    return "".join(parts)
