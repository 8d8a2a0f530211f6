"""UpdateCanvas changes a canvas only for a caller who sent its current etag (AIP-154), so an
edit made from a stale or unread copy never silently overwrites someone else's."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2
from knowledge_kit.errors import field_violations_of

from .conftest import RunningCanvas

OWNER = "users/alice"


async def test_an_update_without_the_etag_is_refused_and_changes_nothing(
    running: RunningCanvas,
) -> None:
    canvas = await running.create(running.space_of(OWNER), OWNER)

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await running.canvases.UpdateCanvas(
            canvas_service_pb2.UpdateCanvasRequest(
                canvas=canvas_pb2.Canvas(name=canvas.name, title="Overwritten"),
                update_mask=FieldMask(paths=["title"]),
            ),
            metadata=running.as_user(OWNER),
        )

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(refused.value)] == ["canvas.etag"]
    got = await running.canvases.GetCanvas(
        canvas_service_pb2.GetCanvasRequest(name=canvas.name), metadata=running.as_user(OWNER)
    )
    assert (got.canvas.title, got.canvas.etag) == (canvas.title, canvas.etag)
