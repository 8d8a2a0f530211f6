"""The platform's API conventions hold for every List and Update RPC this service serves (the
kit's contract suite); a new one fails here until it gets a seed recipe below."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from knowledge.activity.v1 import activity_service_pb2 as api
from knowledge_kit.testing.api_contract import CONVENTIONS, ApiContract, ListCase

from ..support import Events, Spaces
from .conftest import bearer
from .seeds import ADA, SPACE, edits

SERVICE = "knowledge.activity.v1.ActivityService"


@pytest.fixture
def contract(
    channel: grpc.aio.Channel, mint_token: Callable[..., str], events: Events, spaces: Spaces
) -> ApiContract:
    """A seed recipe for each List RPC of the service (it has no Update RPC)."""
    ada = bearer(mint_token(ADA))

    async def list_activities() -> ListCase:
        await edits(events, spaces, 4)
        return ListCase(
            api.ListActivitiesRequest(parent=SPACE),
            ada,
            other_listing=(api.ListActivitiesRequest(parent=ADA), ada),
        )

    return ApiContract(channel, lists={f"{SERVICE}.ListActivities": list_activities}, updates={})


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_the_platform_api_conventions_hold(contract: ApiContract, convention: str) -> None:
    await contract.check(convention)
