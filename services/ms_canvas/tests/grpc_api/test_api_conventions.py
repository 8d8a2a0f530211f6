"""The platform's API conventions hold for every List and Update RPC this service serves; a new
RPC fails here until it gets a seed recipe below."""

from __future__ import annotations

import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2
from knowledge_kit.testing.api_contract import CONVENTIONS, ApiContract, ListCase, UpdateCase

from .conftest import RunningCanvas

OWNER = "users/alice"


def seeds(running: RunningCanvas) -> ApiContract:
    """A seed recipe for each List and Update RPC of the service."""

    async def canvases() -> ListCase:
        space, other = running.space_of(OWNER), running.space_of(OWNER)
        for _ in range(2):
            await running.create(space, OWNER)
        await running.create(other, OWNER)
        return ListCase(
            canvas_service_pb2.ListCanvasesRequest(parent=space),
            running.as_user(OWNER),
            (canvas_service_pb2.ListCanvasesRequest(parent=other), running.as_user(OWNER)),
        )

    async def update_canvas() -> UpdateCase:
        canvas = await running.create(running.space_of(OWNER), OWNER)
        request = canvas_service_pb2.UpdateCanvasRequest(
            canvas=canvas_pb2.Canvas(name=canvas.name, title="Renamed", etag=canvas.etag),
            update_mask=FieldMask(paths=["title"]),
        )
        return UpdateCase(request, running.as_user(OWNER), etag_required=True)

    return ApiContract(
        running.channel,
        lists={"knowledge.canvas.v1.CanvasService.ListCanvases": canvases},
        updates={"knowledge.canvas.v1.CanvasService.UpdateCanvas": update_canvas},
    )


@pytest.fixture
def contract(running: RunningCanvas) -> ApiContract:
    return seeds(running)


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_the_platform_api_conventions_hold(contract: ApiContract, convention: str) -> None:
    await contract.check(convention)
