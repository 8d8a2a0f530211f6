"""What clients report: recorded whole or not at all, once per client id (a retried batch
records nothing twice), in spaces the reporter is a member of, within their rate."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from knowledge_kit.errors import PermissionDeniedError, ValidationError

from ms_activity.domain.errors import RateLimitedError
from ms_activity.domain.reported import Reported
from ms_activity.main import ActivityParts

from ..support import NOW, Spaces, daily, person, timeline

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
    with pytest.raises(RateLimitedError):  # the bucket refills 10 a second: 100 is out of reach
        await parts.recording.record(person(ADA), [viewed() for _ in range(100)], "web")
    await parts.recording.record(person(BOB), [viewed()], "web")
    listed = await timeline(parts, ADA, person(ADA), page_size=200)
    assert len(listed) == 200
