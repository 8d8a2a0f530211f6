"""A space's activity in the web app as people see it: headless Chromium in a +05:30 zone opens
the space's activity page and finds a document written from Python on the timeline (Server
Actions over grpc-js, newest first) and in the chart's bar for today, the browser's today
(AggregateActivities in the browser's zone); opening the document is reported by the app
(RecordActivities) and shows on the timeline as the user's view, recorded with source web."""

from __future__ import annotations

import grpc
from knowledge.activity.v1 import activity_service_pb2 as activity_rpc
from knowledge.activity.v1 import activity_service_pb2_grpc

from .activity_views import ZONE, assert_shows_the_new_document, assert_shows_the_view_on_top, shown
from .browser_probes import CHROMIUM, probe_lines
from .edge_harness import (
    PASSWORD,
    PlatformUp,
    bearer,
    registered,
    space_with_document,
    unique_email,
)

PROBE_DEADLINE = 180.0


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
    created_line, viewed_line, problems = probe_lines(
        "web_app_activity.mjs", request, timeout=PROBE_DEADLINE
    )
    created = shown(created_line, "created")
    assert created["title"] == "Activity in Expedition"
    creation = assert_shows_the_new_document(created, "Logbook")
    assert creation["subject"] == document.name
    assert_shows_the_view_on_top(shown(viewed_line, "viewed"), created, "Logbook")
    assert problems == "problems: []"

    with grpc.insecure_channel(platform.edge_target) as channel:
        mine = activity_service_pb2_grpc.ActivityServiceStub(channel).ListActivities(
            activity_rpc.ListActivitiesRequest(parent=me.user.name, verbs=["document.viewed"]),
            metadata=bearer(token),
        )
    (recorded,) = mine.activities
    assert (recorded.source, recorded.subject) == ("web", document.name)
