"""A space's activity in the web app as people see it: headless Chromium in a +05:30 zone opens
the space's activity page and finds a document written from Python on the timeline (Server
Actions over grpc-js, newest first) and in the chart's bar for today, the browser's today
(AggregateActivities in the browser's zone); opening the document is reported by the app
(RecordActivities) and shows on the timeline as the user's view, recorded with source web."""

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
PROBE_DEADLINE = 180.0
ZONE = "Asia/Kolkata"


def test_the_space_timeline_and_chart_show_a_written_document_and_the_users_view(
    platform: PlatformUp,
) -> None:
    email = unique_email()
    me = registered(platform, email, "Ada")
    token = me.tokens.access_token
    document = space_with_document(platform, token, "Expedition", "Logbook", "Day one.")
    request = {
        "chromium": CHROMIUM,
        "url": platform.edge_url,
        "email": email,
        "password": PASSWORD,
        "timeZone": ZONE,
        "space": document.name.rsplit("/documents/", 1)[0],
        "document": document.name,
        "deadlineSeconds": PROBE_DEADLINE / 3,
    }
    finished = subprocess.run(
        [*probe_command("web_app_activity.mjs"), json.dumps(request)],
        capture_output=True,
        text=True,
        timeout=PROBE_DEADLINE,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    created_line, viewed_line, problems = finished.stdout.splitlines()
    today = datetime.now(UTC).astimezone(ZoneInfo(ZONE)).date().isoformat()

    created = json.loads(created_line.removeprefix("created "))
    assert created["title"] == "Activity in Expedition"
    (creation,) = [one for one in created["items"] if one["verb"] == "document.created"]
    assert creation["summary"].endswith(' created "Logbook"')
    assert creation["subject"] == document.name
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
    assert viewed["days"][-1]["total"] > created["days"][-1]["total"]
    assert problems == "problems: []"

    with grpc.insecure_channel(platform.edge_target) as channel:
        mine = activity_service_pb2_grpc.ActivityServiceStub(channel).ListActivities(
            activity_rpc.ListActivitiesRequest(parent=me.user.name, verbs=["document.viewed"]),
            metadata=bearer(token),
        )
    (recorded,) = mine.activities
    assert (recorded.source, recorded.subject) == ("web", document.name)
