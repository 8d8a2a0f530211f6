"""The Kafka topic catalogue declared once in the proto registry (proto-registry/topics.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fleet.errors import FleetError
from fleet.located_yaml import load_located_yaml
from fleet.validation_messages import describe_validation_error

TOPICS_FILE = Path("proto-registry") / "topics.yaml"
TOPIC_NAME = r"^[a-z][a-z0-9]*(\.[a-z][a-z0-9_]*)+\.v[0-9]+$"
EVENT_NAME = r"^knowledge\.[a-z]+\.v[0-9]+\.[A-Z][A-Za-z0-9]*$"


class Topic(BaseModel):
    """One Kafka topic: who writes it, how it is keyed, which event payloads travel on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: str = Field(pattern=r"^ms_[a-z0-9_]+$")
    description: str = Field(min_length=1)
    key: str = Field(min_length=1)
    partitions: int = Field(ge=1, le=256)
    retention_hours: int = Field(ge=1)
    events: list[Annotated[str, Field(pattern=EVENT_NAME)]] = Field(min_length=1)


class TopicCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1, le=1)
    topics: dict[Annotated[str, Field(pattern=TOPIC_NAME)], Topic]


def load_topics(root: Path) -> TopicCatalogue:
    """Read and validate the registry's topic catalogue."""
    document = load_located_yaml(root / TOPICS_FILE)
    try:
        return TopicCatalogue.model_validate(document.data)
    except ValidationError as exc:
        raise FleetError(describe_validation_error(exc, document)) from None


def dead_letter_topic(service: str) -> str:
    """Where a service's consumers park events they could not apply after bounded retries."""
    return f"deadletter.{service.removeprefix('ms_')}.v1"
