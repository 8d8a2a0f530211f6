"""Consumed events as activities: the envelope's id, time and source added to each draft, the
draft checked (a malformed one raises ValidationError, so the consumer dead-letters its record),
then staged: pending with the consumer's transaction, for the forwarder to take to the store."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge_kit.api import Clock, utc_now
from knowledge_kit.errors import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.drafts import Draft
from ..domain.names import SPACE, is_principal, is_resource, space_of
from ..domain.reported import MAX_PROPERTIES, MAX_VALUE_CHARS
from ..store import Activity
from .staging import stage

MAX_SOURCE_CHARS = 64


class Ingestion:
    """Turns drafts into pending activities, `retention` deep: an event older than that would
    be dropped by the store's TTL at once, so it is not written at all. `staged` is called
    after each commit that staged some (the forwarder's wake-up)."""

    def __init__(
        self, staged: Callable[[], None], retention: timedelta, clock: Clock = utc_now
    ) -> None:
        self._staged = staged
        self._retention = retention
        self._clock = clock

    def activities(
        self, envelope: EventEnvelope, event_type: str, drafts: Sequence[Draft]
    ) -> list[Activity]:
        """The activities of one event (none when it is older than the retention)."""
        if not envelope.HasField("time"):
            raise ValidationError(f"{event_type} event {envelope.id[:40]!r} has no time")
        if not envelope.source or len(envelope.source) > MAX_SOURCE_CHARS:
            raise ValidationError(f"{event_type} event {envelope.id[:40]!r} names no source")
        occurred = envelope.time.ToDatetime(tzinfo=UTC)
        now = self._clock()
        if occurred < now - self._retention:
            return []
        many = len(drafts) > 1
        return [
            Activity(
                id=_activity_id(envelope.id, draft.actor) if many else envelope.id,
                verb=draft.verb,
                actor=draft.actor,
                actor_display_name=draft.actor_display_name[:MAX_VALUE_CHARS],
                subject=draft.subject,
                space=_checked_space(draft, event_type),
                source=envelope.source,
                event_type=event_type,
                occur_time=occurred,
                record_time=now,
                properties=_bounded(draft.properties),
            )
            for draft in drafts
            if _checked(draft, event_type)
        ]

    def stage(self, session: AsyncSession, activities: Sequence[Activity]) -> None:
        if activities:
            stage(session, activities, self._staged)

    def now(self) -> datetime:
        return self._clock()


def _activity_id(event_id: str, actor: str) -> str:
    """A stable id per actor of an event with several (the same on every replay)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event_id}/{actor}"))


def _checked(draft: Draft, event_type: str) -> bool:
    if draft.actor and not is_principal(draft.actor):
        raise ValidationError(f"{event_type} names no user as actor (got {draft.actor[:80]!r})")
    if not is_resource(draft.subject):
        raise ValidationError(f"{event_type} names no resource (got {draft.subject[:80]!r})")
    return True


def _checked_space(draft: Draft, event_type: str) -> str:
    """The draft's space, or the subject's when the event named none; one naming another
    space than its subject's, or no space at all, is malformed."""
    own = space_of(draft.subject)
    if not draft.space:
        return own
    if not SPACE.matches(draft.space) or own not in ("", draft.space):
        raise ValidationError(f"{event_type} for {draft.subject[:80]} names another space")
    return draft.space


def _bounded(properties: dict[str, str]) -> dict[str, str]:
    """At most MAX_PROPERTIES entries of at most MAX_VALUE_CHARS each (titles may be long)."""
    kept = sorted(properties.items())[:MAX_PROPERTIES]
    return {key: value[:MAX_VALUE_CHARS] for key, value in kept}
