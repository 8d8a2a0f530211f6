"""`fleet up` runs ms_activity beside the services whose events it records, and the edge's page
shows a space's activity: headless Chromium, in a +05:30 zone, sees a document written from
Python appear on the space's timeline and in the chart's bar for today (the browser's today),
then its own view of the document (reported by the page with RecordActivities) and a search it
ran, recorded as the user's."""

from __future__ import annotations

import json

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

PROBE_DEADLINE = 120.0


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
    created_line, viewed_line, searched_line = probe_lines(
        "activity_page_session.mjs", request, timeout=PROBE_DEADLINE
    )
    created = shown(created_line, "created")
    assert created["title"] == "Activity in Expedition"
    assert_shows_the_new_document(created, "Logbook")
    assert_shows_the_view_on_top(shown(viewed_line, "viewed"), created, "Logbook")

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
