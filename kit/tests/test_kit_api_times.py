"""Request times become aware datetimes, and times that are not real are refused by name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.common.v1.time_range_pb2 import TimeRange

from knowledge_kit.api import checked_time, checked_time_range
from knowledge_kit.errors import ValidationError

NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)


def stamp(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def test_a_time_reads_as_an_aware_datetime() -> None:
    assert checked_time(stamp(NEW_YEAR), "since") == NEW_YEAR


@pytest.mark.parametrize(
    "broken",
    [
        Timestamp(seconds=0, nanos=-1),
        Timestamp(seconds=0, nanos=1_000_000_000),
        Timestamp(seconds=-(2**63)),
        Timestamp(seconds=2**63 - 1),
    ],
)
def test_a_time_that_is_not_real_is_refused_naming_the_field(broken: Timestamp) -> None:
    with pytest.raises(ValidationError) as refused:
        checked_time(broken, "since")
    assert [violation.field for violation in refused.value.violations] == ["since"]


def test_a_range_has_optional_ends_and_must_not_run_backwards() -> None:
    assert checked_time_range(TimeRange(), "window") == (None, None)
    assert checked_time_range(TimeRange(start_time=stamp(NEW_YEAR)), "window") == (NEW_YEAR, None)
    backwards = TimeRange(start_time=stamp(NEW_YEAR), end_time=stamp(NEW_YEAR))
    with pytest.raises(ValidationError) as refused:
        checked_time_range(backwards, "window")
    assert [violation.field for violation in refused.value.violations] == ["window"]
    broken = TimeRange(end_time=Timestamp(nanos=-5))
    with pytest.raises(ValidationError) as named:
        checked_time_range(broken, "window")
    assert [violation.field for violation in named.value.violations] == ["window.end_time"]
