"""Every RPC of every service this server serves answers hostile requests (bytes that do not
parse, huge and extreme values, NUL characters) with a deliberate status, never UNKNOWN or
INTERNAL, and the service stays SERVING. Methods come from the server's reflection: a new RPC is
fuzzed without a line here (a seed below only helps its cases past the first checks)."""

from __future__ import annotations

from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from knowledge.canvas.v1 import canvas_pb2
from knowledge.canvas.v1 import canvas_service_pb2 as canvas_rpc
from knowledge_kit.testing.fuzz_server import fuzz_server

from .conftest import RunningCanvas

OWNER = "users/alice"
# The whole run stays within about 20 seconds: cases left over are counted, not sent.
BUDGET_SECONDS = 16.0


async def seeds(running: RunningCanvas) -> dict[str, dict[str, Message]]:
    """A valid request per method (by service, then method name) on a canvas of a space the
    owner has, so that each case changes one field of a request that would succeed."""
    space = running.space_of(OWNER)
    canvas, doomed = await running.create(space, OWNER), await running.create(space, OWNER)
    return {
        "CanvasService": {
            "CreateCanvas": canvas_rpc.CreateCanvasRequest(
                parent=space, canvas=canvas_pb2.Canvas(title="Fuzzed", description="d")
            ),
            "GetCanvas": canvas_rpc.GetCanvasRequest(name=canvas.name),
            "ListCanvases": canvas_rpc.ListCanvasesRequest(parent=space, page_size=2),
            "UpdateCanvas": canvas_rpc.UpdateCanvasRequest(
                canvas=canvas_pb2.Canvas(name=canvas.name, title="Renamed", etag=canvas.etag),
                update_mask=FieldMask(paths=["title"]),
            ),
            "DeleteCanvas": canvas_rpc.DeleteCanvasRequest(name=doomed.name, etag=doomed.etag),
            "GetCanvasContent": canvas_rpc.GetCanvasContentRequest(name=canvas.name),
            "StreamCanvasChanges": canvas_rpc.StreamCanvasChangesRequest(name=canvas.name),
        },
    }


async def test_every_rpc_answers_hostile_requests_with_a_deliberate_status(
    running: RunningCanvas,
) -> None:
    await fuzz_server(
        running.channel,
        metadata=running.as_user(OWNER),
        seeds=await seeds(running),
        budget_seconds=BUDGET_SECONDS,
    )
