"""The web app's bell as people use it: headless Chromium signs up through the app, whose bell
follows StreamNotifications over gRPC-web through the edge; when someone adds the person to a
space the count rises without a reload, the panel lists the notification (a Server Action over
grpc-js), a click marks it read, and the platform keeps it read."""

from __future__ import annotations

import json

import grpc
from knowledge.knowledge.v1 import space_pb2, space_service_pb2_grpc
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc
from knowledge.notifications.v1 import notification_service_pb2 as notification_rpc
from knowledge.notifications.v1 import notification_service_pb2_grpc

from .browser_probes import CHROMIUM, started_probe
from .edge_harness import PASSWORD, PlatformUp, bearer, log_in, register, unique_email

PROBE_DEADLINE = 180.0


def test_a_notification_arrives_live_on_the_bell_and_a_click_reads_it(platform: PlatformUp) -> None:
    email = unique_email()
    request = {
        "chromium": CHROMIUM,
        "url": platform.edge_url,
        "email": email,
        "password": PASSWORD,
        "deadlineSeconds": PROBE_DEADLINE / 3,
    }
    probe = started_probe("web_app_notifications.mjs", request)
    try:
        assert probe.stdout is not None
        ready = probe.stdout.readline()  # the probe ends by itself past its deadline
        assert ready.startswith("ready users/"), probe.stderr.read() if probe.stderr else ready
        _, user, count = ready.split()
        assert count == "0"
        ada = register(platform, unique_email())
        with grpc.insecure_channel(platform.edge_target) as channel:
            spaces = space_service_pb2_grpc.SpaceServiceStub(channel)
            space = spaces.CreateSpace(
                space_rpc.CreateSpaceRequest(space=space_pb2.Space(display_name="Reading group")),
                metadata=bearer(ada),
            ).space
            spaces.InviteSpaceMember(
                space_rpc.InviteSpaceMemberRequest(
                    parent=space.name, user=user, role=space_pb2.SPACE_ROLE_VIEWER
                ),
                metadata=bearer(ada),
            )
        output, errors = probe.communicate(timeout=PROBE_DEADLINE)
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.communicate()
    assert probe.returncode == 0, errors
    counted, label, listed, read, reloaded, problems = output.splitlines()
    assert counted == "count 1 without a reload"
    assert label == "label Notifications: 1 unread"
    assert listed.endswith(" unread 1")
    (title,) = json.loads(listed.removeprefix("listed ").removesuffix(" unread 1"))
    assert title.endswith("added you to Reading group as viewer")
    assert read == "read 0"
    assert reloaded == "after a reload 0"
    assert problems == "problems: []"

    # What the browser did is what the platform keeps.
    token = log_in(platform, email)
    with grpc.insecure_channel(platform.edge_target) as channel:
        inbox = notification_service_pb2_grpc.NotificationServiceStub(channel).ListNotifications(
            notification_rpc.ListNotificationsRequest(parent=user), metadata=bearer(token)
        )
    (kept,) = inbox.notifications
    assert kept.HasField("read_time")
    assert inbox.unread_count == 0
