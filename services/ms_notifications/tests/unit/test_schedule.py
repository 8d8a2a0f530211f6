"""Quiet hours, digest times and retries in the user's time zone, across daylight-saving changes.

Europe/Berlin in 2026: clocks jump from 02:00 to 03:00 on 29 March (at 01:00 UTC) and go back
from 03:00 to 02:00 on 25 October (at 01:00 UTC). Asia/Kolkata is +05:30 all year.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from knowledge_kit.errors import ValidationError

from ms_notifications.domain.preferences import EmailFrequency
from ms_notifications.domain.schedule import (
    MAX_ATTEMPTS,
    checked_quiet_hours,
    in_quiet_hours,
    next_digest_at,
    quiet_hours_end,
    retry_delay,
    time_zone,
)

BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
NIGHT = (22 * 60, 7 * 60)  # 22:00 to 07:00


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def violated_fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {violation.field for violation in error.value.violations}


def test_time_zones_are_iana_names_and_empty_is_utc() -> None:
    assert time_zone("Europe/Berlin") == BERLIN
    assert time_zone("") == ZoneInfo("UTC")


@pytest.mark.parametrize(
    "name",
    ["Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", " ", "Europe/" + "x" * 65536],
)
def test_an_unknown_time_zone_is_refused_naming_the_field(name: str) -> None:
    with pytest.raises(ValidationError) as error:
        time_zone(name)
    assert violated_fields(error) == {"preferences.time_zone"}


def test_quiet_hours_must_be_minutes_of_the_day() -> None:
    assert checked_quiet_hours(0, 1439) == (0, 1439)
    with pytest.raises(ValidationError) as error:
        checked_quiet_hours(-1, 1440)
    assert violated_fields(error) == {
        "preferences.quiet_hours.start_minute",
        "preferences.quiet_hours.end_minute",
    }


def test_a_night_window_holds_until_morning_local_time() -> None:
    evening = utc(2026, 6, 10, 20, 30)  # 22:30 in Berlin (summer time)
    assert in_quiet_hours(evening, BERLIN, *NIGHT)
    assert quiet_hours_end(evening, BERLIN, *NIGHT) == utc(2026, 6, 11, 5, 0)
    after_midnight = utc(2026, 6, 11, 1, 0)
    assert quiet_hours_end(after_midnight, BERLIN, *NIGHT) == utc(2026, 6, 11, 5, 0)


def test_the_window_starts_and_ends_on_the_minute() -> None:
    assert not in_quiet_hours(utc(2026, 6, 10, 19, 59), BERLIN, *NIGHT)
    assert in_quiet_hours(utc(2026, 6, 10, 20, 0), BERLIN, *NIGHT)
    assert in_quiet_hours(utc(2026, 6, 11, 4, 59, 59), BERLIN, *NIGHT)
    assert not in_quiet_hours(utc(2026, 6, 11, 5, 0), BERLIN, *NIGHT)


def test_outside_quiet_hours_nothing_is_held() -> None:
    noon = utc(2026, 6, 10, 10, 0)
    assert not in_quiet_hours(noon, BERLIN, *NIGHT)
    assert quiet_hours_end(noon, BERLIN, *NIGHT) == noon


def test_equal_start_and_end_mean_no_quiet_hours() -> None:
    for hour in range(24):
        assert not in_quiet_hours(utc(2026, 6, 10, hour, 0), BERLIN, 600, 600)


def test_a_daytime_window_does_not_cross_midnight() -> None:
    lunch = (12 * 60, 13 * 60 + 30)
    assert in_quiet_hours(utc(2026, 1, 5, 11, 15), BERLIN, *lunch)  # 12:15 winter time
    assert quiet_hours_end(utc(2026, 1, 5, 11, 15), BERLIN, *lunch) == utc(2026, 1, 5, 12, 30)
    assert not in_quiet_hours(utc(2026, 1, 5, 23, 0), BERLIN, *lunch)


def test_the_spring_night_is_an_hour_shorter() -> None:
    evening = utc(2026, 3, 28, 21, 30)  # 22:30 winter time; 07:00 next morning is summer time
    assert quiet_hours_end(evening, BERLIN, *NIGHT) == utc(2026, 3, 29, 5, 0)
    assert quiet_hours_end(utc(2026, 3, 29, 1, 30), BERLIN, *NIGHT) == utc(2026, 3, 29, 5, 0)


def test_the_autumn_night_is_an_hour_longer() -> None:
    evening = utc(2026, 10, 24, 20, 30)  # 22:30 summer time; 07:00 next morning is winter time
    assert quiet_hours_end(evening, BERLIN, *NIGHT) == utc(2026, 10, 25, 6, 0)
    assert in_quiet_hours(utc(2026, 10, 25, 5, 30), BERLIN, *NIGHT)  # 06:30 winter time


def test_a_window_ending_in_the_skipped_hour_ends_when_the_clocks_jump() -> None:
    window = (1 * 60 + 30, 2 * 60 + 30)  # 01:30 to 02:30, and 02:30 does not exist on 29 March
    inside = utc(2026, 3, 29, 0, 45)  # 01:45 winter time
    assert in_quiet_hours(inside, BERLIN, *window)
    assert quiet_hours_end(inside, BERLIN, *window) == utc(2026, 3, 29, 1, 0)  # 03:00 summer time
    assert not in_quiet_hours(utc(2026, 3, 29, 1, 0), BERLIN, *window)


def test_a_window_starting_in_the_skipped_hour_starts_when_the_clocks_jump() -> None:
    window = (2 * 60 + 30, 4 * 60)  # 02:30 to 04:00
    assert not in_quiet_hours(utc(2026, 3, 29, 0, 59), BERLIN, *window)  # 01:59 winter time
    assert in_quiet_hours(utc(2026, 3, 29, 1, 0), BERLIN, *window)  # 03:00 summer time
    assert quiet_hours_end(utc(2026, 3, 29, 1, 0), BERLIN, *window) == utc(2026, 3, 29, 2, 0)


def test_a_window_ending_in_the_repeated_hour_ends_at_its_second_pass() -> None:
    window = (1 * 60, 2 * 60 + 30)  # 01:00 to 02:30; 02:30 is shown twice on 25 October
    first_pass = utc(2026, 10, 25, 0, 45)  # 02:45 summer time, after the first 02:30
    assert in_quiet_hours(first_pass, BERLIN, *window)
    assert quiet_hours_end(first_pass, BERLIN, *window) == utc(2026, 10, 25, 1, 30)
    assert in_quiet_hours(utc(2026, 10, 25, 1, 15), BERLIN, *window)  # 02:15 winter time
    assert not in_quiet_hours(utc(2026, 10, 25, 1, 30), BERLIN, *window)


def test_a_half_hour_zone_holds_on_its_own_clock() -> None:
    late = utc(2026, 6, 1, 17, 0)  # 22:30 in India
    assert in_quiet_hours(late, KOLKATA, *NIGHT)
    assert quiet_hours_end(late, KOLKATA, *NIGHT) == utc(2026, 6, 2, 1, 30)  # 07:00 in India
    assert not in_quiet_hours(utc(2026, 6, 1, 16, 29), KOLKATA, *NIGHT)  # 21:59 in India


def test_times_must_carry_their_zone() -> None:
    with pytest.raises(ValueError):
        in_quiet_hours(datetime(2026, 6, 1, 12, 0), BERLIN, *NIGHT)


def test_immediate_email_goes_now() -> None:
    now = utc(2026, 6, 1, 12, 34)
    assert next_digest_at(EmailFrequency.IMMEDIATE, now, BERLIN, None) == now


def test_hourly_digests_go_at_the_top_of_the_local_hour() -> None:
    assert next_digest_at(EmailFrequency.HOURLY, utc(2026, 6, 1, 10, 0), BERLIN, None) == utc(
        2026, 6, 1, 11, 0
    )
    # In India the local hour turns at half past, UTC.
    assert next_digest_at(EmailFrequency.HOURLY, utc(2026, 6, 1, 10, 10), KOLKATA, None) == utc(
        2026, 6, 1, 10, 30
    )


def test_hourly_digests_keep_every_hour_of_the_autumn_night() -> None:
    at = [utc(2026, 10, 25, 0, 10)]  # 02:10 summer time
    for _ in range(3):
        at.append(next_digest_at(EmailFrequency.HOURLY, at[-1], BERLIN, None))
    # 02:00 winter time (the repeated hour), then 03:00 and 04:00 winter time.
    assert at[1:] == [utc(2026, 10, 25, 1, 0), utc(2026, 10, 25, 2, 0), utc(2026, 10, 25, 3, 0)]


def test_daily_digests_go_at_eight_local_across_the_spring_change() -> None:
    saturday = utc(2026, 3, 28, 9, 0)  # 10:00 winter time, after this day's digest
    assert next_digest_at(EmailFrequency.DAILY, saturday, BERLIN, None) == utc(2026, 3, 29, 6, 0)
    early_sunday = utc(2026, 3, 29, 5, 0)  # 07:00 summer time
    assert next_digest_at(EmailFrequency.DAILY, early_sunday, BERLIN, None) == utc(
        2026, 3, 29, 6, 0
    )


def test_a_period_never_gets_two_digests() -> None:
    sent = utc(2026, 3, 29, 6, 0)
    # An instance whose clock is a little behind the one that sent it waits for the next day.
    behind = sent - timedelta(seconds=5)
    assert next_digest_at(EmailFrequency.DAILY, behind, BERLIN, sent) == utc(2026, 3, 30, 6, 0)
    assert next_digest_at(EmailFrequency.HOURLY, behind, BERLIN, sent) == utc(2026, 3, 29, 7, 0)


def test_a_digest_time_missed_while_down_is_not_waited_for_again() -> None:
    last_week = utc(2026, 6, 1, 6, 0)
    now = utc(2026, 6, 8, 7, 0)  # 09:00 on the next day of digests
    assert next_digest_at(EmailFrequency.DAILY, now, BERLIN, last_week) == utc(2026, 6, 9, 6, 0)


def test_weekly_digests_go_on_monday_at_eight_local() -> None:
    wednesday = utc(2026, 10, 21, 12, 0)
    # Monday 26 October is winter time again: 08:00 is 07:00 UTC.
    assert next_digest_at(EmailFrequency.WEEKLY, wednesday, BERLIN, None) == utc(2026, 10, 26, 7, 0)
    monday_early = utc(2026, 10, 26, 6, 30)
    assert next_digest_at(EmailFrequency.WEEKLY, monday_early, BERLIN, None) == utc(
        2026, 10, 26, 7, 0
    )
    monday_late = utc(2026, 10, 26, 7, 0)
    assert next_digest_at(EmailFrequency.WEEKLY, monday_late, BERLIN, None) == utc(
        2026, 11, 2, 7, 0
    )
    assert next_digest_at(EmailFrequency.WEEKLY, wednesday, KOLKATA, None) == utc(
        2026, 10, 26, 2, 30
    )


def test_retries_back_off_up_to_a_cap() -> None:
    delays = [retry_delay(attempt) for attempt in range(1, MAX_ATTEMPTS + 1)]
    assert delays[0] == timedelta(seconds=30)
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))
    assert retry_delay(60) == timedelta(hours=1)
    with pytest.raises(ValueError):
        retry_delay(0)
