"""A client's batch is recorded whole or refused whole, naming every bad field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from knowledge_kit.errors import ValidationError

from ms_activity.domain.reported import Reported, checked_reports, checked_source

NOW = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
RETENTION = timedelta(days=400)


def viewed(**changes: object) -> Reported:
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "verb": "document.viewed",
        "subject": "spaces/s1/documents/d1",
        "space": "",
        "occur_time": None,
        "properties": {},
    }
    values.update(changes)
    return Reported(**values)  # type: ignore[arg-type]


def refused_fields(batch: list[Reported]) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        checked_reports(batch, NOW, RETENTION)
    return [violation.field for violation in refused.value.violations]


def test_a_good_batch_gets_its_space_and_time_filled_in() -> None:
    (checked,) = checked_reports([viewed()], NOW, RETENTION)
    assert (checked.space, checked.occur_time) == ("spaces/s1", NOW)


def test_every_bad_activity_is_named_and_none_is_recorded() -> None:
    batch = [
        viewed(),
        viewed(verb="document.deleted"),  # not a verb clients report
        viewed(occur_time=NOW + timedelta(minutes=5)),
        viewed(id="not-a-uuid"),
        viewed(space="spaces/other"),
        viewed(properties={"k": "v" * 257}),
    ]
    assert refused_fields(batch) == [
        "activities[1].verb",
        "activities[2].occur_time",
        "activities[3].id",
        "activities[4].space",
        "activities[5].properties[k]",
    ]


def test_batches_hold_one_to_five_hundred_activities() -> None:
    assert refused_fields([]) == ["activities"]
    assert refused_fields([viewed() for _ in range(10_000)]) == ["activities"]
    assert len(checked_reports([viewed() for _ in range(500)], NOW, RETENTION)) == 500


def test_an_id_twice_in_one_batch_is_refused_and_a_slightly_early_clock_is_not() -> None:
    twice = viewed()
    assert refused_fields([twice, twice]) == ["activities[1].id"]
    checked_reports([viewed(occur_time=NOW + timedelta(seconds=30))], NOW, RETENTION)
    assert refused_fields([viewed(occur_time=NOW - timedelta(days=401))]) == [
        "activities[0].occur_time"
    ]


def test_the_source_is_a_short_client_name() -> None:
    assert checked_source("") == "web"
    assert checked_source("ios_app") == "ios_app"
    with pytest.raises(ValidationError):
        checked_source("Web App")
