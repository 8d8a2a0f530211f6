"""`fleet up` runs ms_activity beside the services whose events it records, and the edge's page
shows a space's activity: headless Chromium, in a +05:30 zone, sees a document written from
Python appear on the space's timeline and in the chart's bar for today (the browser's today),
then its own view of the document (reported by the page with RecordActivities) and a search it
ran, recorded as the user's."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import grpc
from fleet.edge.probes import probe_command
from knowledge.activity.v1 import activity_service_pb2 as activity_rpc
from knowledge.activity.v1 import activity_service_pb2_grpc

from .edge_harness import (
    PASSWORD,
    PlatformUp,
    bearer,
    registered,
    space_with_document,
    unique_email,
)

CHROMIUM = "/usr/bin/chromium"
PROBE_DEADLINE = 120.0
ZONE = "Asia/Kolkata"


def test_the_page_shows_a_spaces_timeline_and_daily_chart_with_what_the_user_does(
    platform: PlatformUp,
) -> None:
    email = unique_email()
    me = registered(platform, email, "Ada")
    token = me.tokens.access_token
    document = space_with_document(platform, token, "Expedition", "Logbook", "Day one.")
    request = {
        "chromium": CHROMIUM,
        "url": platform.page_url,
        "email": email,
        "password": PASSWORD,
        "timeZone": ZONE,
        "spaceName": "Expedition",
        "title": "Logbook",
        "document": document.name,
        "query": "glaciers",
        "deadlineSeconds": PROBE_DEADLINE / 2,
    }
    finished = subprocess.run(
        [*probe_command("activity_page_session.mjs"), json.dumps(request)],
        capture_output=True,
        text=True,
        timeout=PROBE_DEADLINE,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    created_line, viewed_line, searched_line = finished.stdout.splitlines()
    today = datetime.now(UTC).astimezone(ZoneInfo(ZONE)).date().isoformat()

    created = json.loads(created_line.removeprefix("created "))
    assert created["title"] == "Activity in Expedition"
    (creation,) = [one for one in created["items"] if one["verb"] == "document.created"]
    assert creation["summary"].endswith(' created "Logbook"')
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

    viewed = json.loads(viewed_line.removeprefix("viewed "))
    (view,) = [one for one in viewed["items"] if one["verb"] == "document.viewed"]
    assert view["summary"].endswith(' viewed "Logbook"')
    assert viewed["items"][0] == view  # the newest
    assert viewed["days"][-1]["day"] == today
    assert viewed["days"][-1]["total"] > created["days"][-1]["total"]

    assert searched_line == "searched 2"  # the view, then the search
    with grpc.insecure_channel(platform.edge_target) as channel:
        mine = activity_service_pb2_grpc.ActivityServiceStub(channel).ListActivities(
            activity_rpc.ListActivitiesRequest(parent=me.user.name, verbs=["search.run"]),
            metadata=bearer(token),
        )
    (search,) = mine.activities
    assert (search.source, search.properties["mode"]) == ("web", "hybrid")
    assert search.properties["query_length"] == "8"
    assert "glaciers" not in json.dumps(dict(search.properties))
