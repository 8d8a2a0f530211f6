"""What a space's activity view shows, the same on the classic page and in the web app: the
probes print the timeline and the 30-day chart as JSON after each step."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

ZONE = "Asia/Kolkata"
"""A +05:30 zone, so a day's bar is the browser's day and not UTC's."""


def shown(line: str, step: str) -> dict[str, Any]:
    """The view as the probe printed it after `step` (`created {...}`)."""
    view: dict[str, Any] = json.loads(line.removeprefix(f"{step} "))
    return view


def assert_shows_the_new_document(created: dict[str, Any], title: str) -> dict[str, Any]:
    """The space's view after a document was written: its creation on the timeline, newest first,
    counted in today's bar (today in ZONE) with one actor. Returns the timeline's item."""
    today = datetime.now(UTC).astimezone(ZoneInfo(ZONE)).date().isoformat()
    (creation,) = [one for one in created["items"] if one["verb"] == "document.created"]
    assert creation["summary"].endswith(f' created "{title}"')
    times = [one["time"] for one in created["items"]]
    assert times == sorted(times, reverse=True)  # newest first
    assert len(created["days"]) == 30
    assert created["days"][-1]["day"] == today
    assert created["days"][-1]["total"] >= 1
    assert created["days"][-1]["actors"] == 1
    # Chromium's ICU names the zone by its older alias; the service counts in the zone it is given.
    assert re.search(
        r"in the last 30 days \(days in Asia/(Kolkata|Calcutta)\)$", created["summary"]
    )
    return creation


def assert_shows_the_view_on_top(
    viewed: dict[str, Any], created: dict[str, Any], title: str
) -> None:
    """The view after the user opened the document: that view is the newest item and today's
    bar grew."""
    (view,) = [one for one in viewed["items"] if one["verb"] == "document.viewed"]
    assert view["summary"].endswith(f' viewed "{title}"')
    assert viewed["items"][0] == view  # the newest
    assert viewed["days"][-1]["total"] > created["days"][-1]["total"]
