"""A canvas in the web app edited by two people at once: headless Chromium in two browsers opens
the same canvas (yjs + y-websocket over ms_canvas's WebSocket through the edge); a note added in
one shows in the other, the other drags it and the first sees it move, and a move made with the
arrow keys comes back the other way, all without a reload; ms_canvas keeps where it ended."""

from __future__ import annotations

import json
import re
import time

import grpc
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2_grpc
from knowledge.canvas.v1 import canvas_service_pb2 as canvas_rpc
from knowledge.knowledge.v1 import space_pb2, space_service_pb2_grpc
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc

from .browser_probes import CHROMIUM, probe_lines
from .edge_harness import PASSWORD, PlatformUp, bearer, unique_email

PROBE_DEADLINE = 240.0
KEPT_DEADLINE = 30.0


def test_two_people_move_the_same_node_live_in_two_browsers(platform: PlatformUp) -> None:
    first, second = unique_email(), unique_email()
    with grpc.insecure_channel(platform.edge_target) as channel:
        owner = _register(channel, first).tokens.access_token
        guest = _register(channel, second).user.name
        spaces = space_service_pb2_grpc.SpaceServiceStub(channel)
        space = spaces.CreateSpace(
            space_rpc.CreateSpaceRequest(space=space_pb2.Space(display_name="Whiteboard")),
            metadata=bearer(owner),
        ).space
        spaces.InviteSpaceMember(
            space_rpc.InviteSpaceMemberRequest(
                parent=space.name, user=guest, role=space_pb2.SPACE_ROLE_EDITOR
            ),
            metadata=bearer(owner),
        )
        canvas = _create_canvas(channel, space.name, owner)
    request = {
        "chromium": CHROMIUM,
        "url": platform.edge_url,
        "first": first,
        "second": second,
        "password": PASSWORD,
        "canvas": canvas.name,
        "deadlineSeconds": PROBE_DEADLINE / 4,
    }
    opened, seen, dragged, nudged, problems = probe_lines(
        "web_app_canvas.mjs", request, timeout=PROBE_DEADLINE
    )
    assert opened == 'first live on "Plans"'
    start = json.loads(seen.removeprefix('second sees "Idea" at '))
    moved, shown_first = _places(dragged)
    assert moved != start
    assert shown_first == moved
    end, shown_second = _places(nudged)
    assert end == [moved[0] + 10, moved[1] + 10]
    assert shown_second == end
    assert nudged.endswith(" without a reload")
    assert problems == "problems: []"

    # What the browsers did is what ms_canvas keeps.
    deadline = time.monotonic() + KEPT_DEADLINE
    with grpc.insecure_channel(platform.edge_target) as channel:
        canvases = canvas_service_pb2_grpc.CanvasServiceStub(channel)
        while True:
            content = canvases.GetCanvasContent(
                canvas_rpc.GetCanvasContentRequest(name=canvas.name), metadata=bearer(owner)
            )
            placed = [(node.x, node.y) for node in content.nodes if node.label == "Idea"]
            if placed == [(end[0], end[1])] or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert placed == [(end[0], end[1])]


def _create_canvas(channel: grpc.Channel, space: str, token: str) -> canvas_pb2.Canvas:
    return (
        canvas_service_pb2_grpc.CanvasServiceStub(channel)
        .CreateCanvas(
            canvas_rpc.CreateCanvasRequest(parent=space, canvas=canvas_pb2.Canvas(title="Plans")),
            metadata=bearer(token),
        )
        .canvas
    )


def _register(channel: grpc.Channel, email: str) -> auth_service_pb2.RegisterResponse:
    return auth_service_pb2_grpc.AuthServiceStub(channel).Register(
        auth_service_pb2.RegisterRequest(email=email, password=PASSWORD, display_name=email)
    )


def _places(line: str) -> tuple[list[int], list[int]]:
    """The two [x, y] places a probe line names: where it was moved, where the other shows it."""
    found = re.findall(r"\[-?\d+(?:\.\d+)?,-?\d+(?:\.\d+)?\]", line)
    assert len(found) == 2, line
    return json.loads(found[0]), json.loads(found[1])
