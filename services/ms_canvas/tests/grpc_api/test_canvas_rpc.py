"""CanvasService over gRPC: canvases by role, the materialized content of what Yjs clients
drew, a live stream of changes for read-only viewers, and the events on canvas.canvases.v1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2
from knowledge.canvas.v1.events_pb2 import CanvasChanged, CanvasCreated, CanvasDeleted
from knowledge.topics import CANVAS_CANVASES_V1
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint

from ..support.canvas_process import CanvasProcess
from ..support.collaborators import collaborators
from ..support.events import events_about
from ..support.platform import (
    EDITOR,
    OWNER,
    VIEWER,
    CanvasPlatform,
    canvas_platform,
    create_canvas,
    join,
)


@pytest_asyncio.fixture
async def platform(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint
) -> AsyncIterator[CanvasPlatform]:
    async with canvas_platform(
        postgres_url, kafka_bootstrap, jwks_endpoint, canvas_changed_debounce_seconds="0.3"
    ) as running:
        yield running


async def test_canvases_by_role_and_their_events(
    platform: CanvasPlatform, kafka_bootstrap: str
) -> None:
    service = await platform.start_canvas_service()
    created = await create_canvas(platform, service)
    space = platform.canvas.rpartition("/canvases/")[0]
    channel, canvases = platform.canvas_stub(service)
    async with channel:
        viewer = platform.as_user(VIEWER)
        got = await canvases.GetCanvas(
            canvas_service_pb2.GetCanvasRequest(name=platform.canvas), metadata=viewer
        )
        assert (got.canvas.title, got.canvas.creator) == ("Roadmap", OWNER)
        listed = await canvases.ListCanvases(
            canvas_service_pb2.ListCanvasesRequest(parent=space), metadata=viewer
        )
        assert [c.name for c in listed.canvases] == [platform.canvas]

        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await canvases.CreateCanvas(
                canvas_service_pb2.CreateCanvasRequest(
                    parent=space, canvas=canvas_pb2.Canvas(title="Mine")
                ),
                metadata=viewer,
            )
        assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as hidden:
            await canvases.GetCanvas(
                canvas_service_pb2.GetCanvasRequest(name=platform.canvas),
                metadata=platform.as_user("users/mallory"),
            )
        assert hidden.value.code() is grpc.StatusCode.NOT_FOUND

        renamed = await canvases.UpdateCanvas(
            canvas_service_pb2.UpdateCanvasRequest(
                canvas=canvas_pb2.Canvas(
                    name=platform.canvas, title="Roadmap 2027", etag=created.etag
                ),
                update_mask=FieldMask(paths=["title"]),
            ),
            metadata=platform.as_user(EDITOR),
        )
        assert renamed.canvas.title == "Roadmap 2027"
        with pytest.raises(grpc.aio.AioRpcError) as stale:
            await canvases.DeleteCanvas(
                canvas_service_pb2.DeleteCanvasRequest(name=platform.canvas, etag=created.etag),
                metadata=platform.as_user(EDITOR),
            )
        assert stale.value.code() is grpc.StatusCode.ABORTED

        await draw_two_nodes(platform, service)
        await canvas_events(kafka_bootstrap, platform.canvas, count=2)  # the debounced summary
        async with collaborators() as clients:
            await join(clients, platform, service.websocket_url, ("carol", VIEWER))
            await canvases.DeleteCanvas(
                canvas_service_pb2.DeleteCanvasRequest(
                    name=platform.canvas, etag=renamed.canvas.etag
                ),
                metadata=platform.as_user(EDITOR),
            )
            await clients.call("carol", "waitForClose", 1008)  # everyone on it is let go

    events = await canvas_events(kafka_bootstrap, platform.canvas, count=3)
    assert [type(event) for event in events] == [CanvasCreated, CanvasChanged, CanvasDeleted]
    changed = events[1]
    assert isinstance(changed, CanvasChanged)
    assert (changed.node_count, changed.revision) == (2, 2)
    assert [editor.name for editor in changed.editors] == [EDITOR]


async def test_content_and_live_changes_follow_what_clients_draw(
    platform: CanvasPlatform,
) -> None:
    service = await platform.start_canvas_service()
    await create_canvas(platform, service)
    channel, canvases = platform.canvas_stub(service)
    async with channel, collaborators() as clients:
        stream = canvases.StreamCanvasChanges(
            canvas_service_pb2.StreamCanvasChangesRequest(name=platform.canvas),
            metadata=platform.as_user(VIEWER),
        )
        first = await stream.read()
        assert isinstance(first, canvas_service_pb2.StreamCanvasChangesResponse)
        assert first.WhichOneof("update") == "snapshot" and not first.snapshot.nodes

        await join(clients, platform, service.websocket_url, ("bob", EDITOR))
        await clients.call(
            "bob",
            "putNode",
            "n1",
            {
                "kind": "document",
                "label": "Spec",
                "x": 10,
                "y": 20,
                "width": 200,
                "height": 80,
                "z": 3,
                "color": "#ffcc00",
                "document": "spaces/s/documents/spec",
            },
        )
        change = await asyncio.wait_for(stream.read(), 10)
        assert isinstance(change, canvas_service_pb2.StreamCanvasChangesResponse)
        node = change.changes.changes[0].node_upserted
        assert (node.id, node.kind, node.label, node.x, node.y, node.width, node.height) == (
            "n1",
            "document",
            "Spec",
            10,
            20,
            200,
            80,
        )
        assert dict(node.attributes) == {"color": "#ffcc00", "z": "3"}
        assert node.document == "spaces/s/documents/spec"
        stream.cancel()

        content = await canvases.GetCanvasContent(
            canvas_service_pb2.GetCanvasContentRequest(name=platform.canvas),
            metadata=platform.as_user(VIEWER),
        )
        assert [n.id for n in content.nodes] == ["n1"] and content.revision == change.revision


async def draw_two_nodes(platform: CanvasPlatform, service: CanvasProcess) -> None:
    async with collaborators() as clients:
        await join(clients, platform, service.websocket_url, ("bob", EDITOR), ("carol", VIEWER))
        await clients.call("bob", "putNode", "a", {"x": 1})
        await clients.call("bob", "putNode", "b", {"x": 2})
        await clients.call("carol", "waitForNodes", ["a", "b"])  # so the service has both


async def canvas_events(kafka_bootstrap: str, canvas: str, count: int) -> list[Message]:
    return await events_about(
        kafka_bootstrap,
        CANVAS_CANVASES_V1.name,
        canvas,
        (CanvasCreated, CanvasChanged, CanvasDeleted),
        count=count,
    )
