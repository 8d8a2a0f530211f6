"""What several test modules share: a settable clock, memberships, and events applied as the
kit's consumer applies them (a batch in one transaction with its inbox rows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge_kit.auth import Principal
from knowledge_kit.database import UnitOfWork
from knowledge_kit.events.consumer import ConsumedEvent
from knowledge_kit.events.envelope import new_envelope
from knowledge_kit.events.inbox import claim_events
from knowledge_kit.spaces import MemberRole, SpaceMemberships
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_activity.domain.buckets import Dimension, Interval
from ms_activity.domain.filters import Filters
from ms_activity.main import ActivityParts
from ms_activity.server.events import event_handlers
from ms_activity.server.messages import activity_message
from ms_activity.service.aggregates import AggregateRequest
from ms_activity.service.timelines import TimelineRequest
from ms_activity.store import Activity

GROUP = "ms_activity"
NOW = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)


class Clock:
    """The service's clock in tests: starts at NOW, moved by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


class Spaces:
    """The membership projection, changed directly (the kit's handlers are tested in the kit)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, space: str, *users: str, role: MemberRole = MemberRole.EDITOR) -> None:
        async with UnitOfWork(self._sessions) as uow:
            for user in users:
                await SpaceMemberships(uow.session).set_role(space, user, role)
            await uow.commit()

    async def remove(self, space: str, user: str) -> None:
        async with UnitOfWork(self._sessions) as uow:
            await SpaceMemberships(uow.session).remove(space, user)
            await uow.commit()


def envelope(
    event: Message, *, at: datetime = NOW, source: str = "ms_knowledge", subject: str = "s"
) -> EventEnvelope:
    """The envelope a producing service's outbox would have written at `at`."""
    wrapped = new_envelope(event, source=source, subject=subject)
    stamp = Timestamp()
    stamp.FromDatetime(at)
    wrapped.time.CopyFrom(stamp)
    return wrapped


class Events:
    """Applies consumed events through the service's handlers, a batch in one transaction with
    the kit's inbox rows, exactly as EventConsumer does (without Kafka), then forwards what
    they staged to the store as the service's forwarder does."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], parts: ActivityParts) -> None:
        self._sessions = sessions
        self._forwarder = parts.forwarder
        self._handlers = {
            kind.DESCRIPTOR.full_name: (kind, handler)
            for kind, handler in event_handlers(parts.ingestion).items()
        }

    async def apply(
        self, *events: Message | EventEnvelope, forward: bool = True
    ) -> list[EventEnvelope]:
        """Apply `events` (payloads at NOW, or envelopes, e.g. to deliver one again) together;
        their envelopes. Without `forward` their activities stay pending."""
        envelopes = [one if isinstance(one, EventEnvelope) else envelope(one) for one in events]
        await self.apply_batch(envelopes, forward=forward)
        return envelopes

    async def apply_batch(
        self, envelopes: Sequence[EventEnvelope], *, forward: bool = True
    ) -> None:
        async with self._sessions() as session, session.begin():
            claimed = await claim_events(session, GROUP, [(one.id, "tests") for one in envelopes])
            for one in envelopes:
                if one.id not in claimed:
                    continue
                claimed.discard(one.id)
                kind, handler = self._handlers[one.payload.TypeName()]
                payload = kind()
                one.payload.Unpack(payload)
                await handler(ConsumedEvent(payload, one, session))
        if forward:
            await self._forwarder.forward_all()


def person(name: str, *roles: str) -> Principal:
    """The caller a verified token would name."""
    return Principal(name, frozenset(roles))


async def timeline(
    parts: ActivityParts,
    parent: str,
    caller: Principal,
    *,
    filters: Filters | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    page_size: int = 200,
) -> list[str]:
    """The summaries on `parent`'s timeline as `caller` sees it, newest first (one page)."""
    page = await parts.timelines.list(
        caller,
        TimelineRequest(parent, page_size, "", start, end, filters or Filters()),
    )
    return [summary_of(activity) for activity in page.items]


def summary_of(activity: Activity) -> str:
    return activity_message(activity).summary


def daily(
    parent: str,
    start: datetime,
    end: datetime,
    *,
    zone: str = "UTC",
    interval: Interval = Interval.DAY,
    breakdown: Dimension = Dimension.NONE,
    top_count: int = 0,
    filters: Filters | None = None,
) -> AggregateRequest:
    return AggregateRequest(
        parent=parent,
        start=start,
        end=end,
        interval=interval,
        time_zone=zone,
        filters=filters or Filters(),
        breakdown=breakdown,
        breakdown_limit=10,
        top_count=top_count,
    )
