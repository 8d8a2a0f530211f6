"""What clients report: recorded whole or not at all, once per client id (a retried batch
records nothing twice), in spaces the reporter is a member of, within their share of each
minute, which two instances on one database count together."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.errors import PermissionDeniedError, ValidationError

from ms_activity.config import Settings
from ms_activity.domain.errors import RateLimitedError
from ms_activity.domain.reported import Reported
from ms_activity.main import ActivityParts, activity_parts
from ms_activity.store import ActivityStore

from ..support import NOW, Clock, Spaces, daily, person, timeline

ADA, BOB = "users/ada", "users/bob"
SPACE = "spaces/handbook"


def viewed(document: str = "d1", **changes: object) -> Reported:
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "verb": "document.viewed",
        "subject": f"{SPACE}/documents/{document}",
        "space": "",
        "occur_time": None,
        "properties": {"title": document.upper()},
    }
    values.update(changes)
    return Reported(**values)  # type: ignore[arg-type]


async def test_a_batch_is_recorded_once_however_often_it_is_sent(
    parts: ActivityParts, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    batch = [viewed("d1"), viewed("d2", occur_time=NOW - timedelta(minutes=5))]
    first = await parts.recording.record(person(ADA), batch, "web")
    again = await parts.recording.record(person(ADA), batch, "web")
    assert (first.recorded, first.duplicates) == (2, 0)
    assert (again.recorded, again.duplicates) == (0, 2)
    assert await timeline(parts, ADA, person(ADA)) == ['ada viewed "D1"', 'ada viewed "D2"']
    aggregate, _ = await parts.aggregates.aggregate(
        person(ADA), daily(SPACE, NOW - timedelta(days=1), NOW + timedelta(seconds=1))
    )
    assert aggregate.total == 2
    assert aggregate.buckets[-1].counts_by_event_type == {"document.viewed": 2}


async def test_one_bad_activity_or_a_foreign_space_records_nothing(
    parts: ActivityParts, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    with pytest.raises(ValidationError):
        await parts.recording.record(person(ADA), [viewed(), viewed(verb="space.deleted")], "web")
    with pytest.raises(PermissionDeniedError):
        await parts.recording.record(
            person(ADA), [viewed(), viewed(subject="spaces/other/documents/x")], "web"
        )
    with pytest.raises(ValidationError):
        await parts.recording.record(person(ADA), [viewed() for _ in range(10_000)], "web")
    assert await timeline(parts, ADA, person(ADA)) == []


async def test_past_their_share_a_user_is_refused_whole_batches_and_others_are_not(
    parts: ActivityParts, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA, BOB)
    for _ in range(2):
        await parts.recording.record(person(ADA), [viewed() for _ in range(500)], "web")
    with pytest.raises(RateLimitedError) as refused:  # the minute's 1,000 are spent
        await parts.recording.record(person(ADA), [viewed() for _ in range(100)], "web")
    assert "retry in 60 seconds" in refused.value.message
    await parts.recording.record(person(BOB), [viewed()], "web")
    listed = await timeline(parts, ADA, person(ADA), page_size=200)
    assert len(listed) == 200


@pytest_asyncio.fixture
async def other_instance(
    settings: Settings, database_url: str, store: ActivityStore, clock: Clock
) -> AsyncIterator[ActivityParts]:
    """A second instance of the service: its own engine on the same SQL database and store."""
    engine = create_database_engine(database_url, traced=False)
    try:
        yield activity_parts(settings, session_factory(engine), store, clock)
    finally:
        await engine.dispose()


async def test_two_instances_count_each_users_minute_together(
    parts: ActivityParts, other_instance: ActivityParts, spaces: Spaces, clock: Clock
) -> None:
    await spaces.add(SPACE, ADA)
    clock.advance(timedelta(seconds=15))
    await parts.recording.record(person(ADA), [viewed() for _ in range(500)], "web")
    await other_instance.recording.record(person(ADA), [viewed() for _ in range(450)], "web")
    for instance in (parts, other_instance):
        with pytest.raises(RateLimitedError) as refused:
            await instance.recording.record(person(ADA), [viewed() for _ in range(51)], "web")
        assert refused.value.retry_after == 45.0
    await other_instance.recording.record(person(ADA), [viewed() for _ in range(50)], "web")
    clock.advance(timedelta(seconds=45))  # the next minute
    await parts.recording.record(person(ADA), [viewed() for _ in range(500)], "web")
    aggregate, _ = await parts.aggregates.aggregate(
        person(ADA), daily(SPACE, NOW - timedelta(days=1), NOW + timedelta(minutes=2))
    )
    assert aggregate.total == 1500


async def test_concurrent_batches_on_two_instances_never_exceed_the_minute(
    parts: ActivityParts, other_instance: ActivityParts, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)

    async def send(instance: ActivityParts) -> int:
        try:
            outcome = await instance.recording.record(
                person(ADA), [viewed() for _ in range(300)], "web"
            )
        except RateLimitedError:
            return 0
        return outcome.recorded

    recorded = await asyncio.gather(*(send(one) for one in [parts, other_instance] * 4))
    assert sorted(recorded) == [0] * 5 + [300] * 3  # 3 batches fit in 1,000, whichever they are
