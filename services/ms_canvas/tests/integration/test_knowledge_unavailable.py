"""With ms_knowledge down, ms_canvas cannot tell who may see a canvas: every RPC answers
UNAVAILABLE (a client retries later) rather than INTERNAL, the collaboration WebSocket closes with
1013 (try again later) and a reason naming ms_knowledge's service, and ms_canvas stays SERVING."""

from __future__ import annotations

from collections.abc import Awaitable
from contextlib import AsyncExitStack

import grpc
import pytest
import websockets
from google.protobuf.field_mask_pb2 import FieldMask
from grpc_health.v1 import health_pb2, health_pb2_grpc
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from ..support.platform import EDITOR, MEMBERS, OWNER, canvas_platform, create_canvas
from ..support.space_directory import serving_space_directory

SPACE_SERVICE = "knowledge.knowledge.v1.SpaceService"


async def test_every_rpc_and_the_websocket_say_try_again_later(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint
) -> None:
    async with AsyncExitStack() as knowledge_up:
        knowledge, target = await knowledge_up.enter_async_context(
            serving_space_directory(jwks_endpoint)
        )
        async with canvas_platform(
            postgres_url, kafka_bootstrap, jwks_endpoint, knowledge_target=target
        ) as platform:
            knowledge.add_space(platform.space, MEMBERS)
            service = await platform.start_canvas_service()
            canvas = await create_canvas(platform, service)
            await knowledge_up.aclose()  # ms_knowledge goes down

            name, space, owner = canvas.name, platform.space, platform.as_user(OWNER)
            channel, canvases = platform.canvas_stub(service)
            async with channel:
                calls: dict[str, Awaitable[object]] = {
                    "CreateCanvas": canvases.CreateCanvas(
                        canvas_service_pb2.CreateCanvasRequest(
                            parent=space, canvas=canvas_pb2.Canvas(title="New")
                        ),
                        metadata=owner,
                    ),
                    "GetCanvas": canvases.GetCanvas(
                        canvas_service_pb2.GetCanvasRequest(name=name), metadata=owner
                    ),
                    "ListCanvases": canvases.ListCanvases(
                        canvas_service_pb2.ListCanvasesRequest(parent=space), metadata=owner
                    ),
                    "UpdateCanvas": canvases.UpdateCanvas(
                        canvas_service_pb2.UpdateCanvasRequest(
                            canvas=canvas_pb2.Canvas(name=name, title="New", etag=canvas.etag),
                            update_mask=FieldMask(paths=["title"]),
                        ),
                        metadata=owner,
                    ),
                    "DeleteCanvas": canvases.DeleteCanvas(
                        canvas_service_pb2.DeleteCanvasRequest(name=name, etag=canvas.etag),
                        metadata=owner,
                    ),
                    "GetCanvasContent": canvases.GetCanvasContent(
                        canvas_service_pb2.GetCanvasContentRequest(name=name), metadata=owner
                    ),
                    "StreamCanvasChanges": canvases.StreamCanvasChanges(
                        canvas_service_pb2.StreamCanvasChangesRequest(name=name), metadata=owner
                    ).read(),
                }
                answers = {}
                for method, call in calls.items():
                    with pytest.raises(grpc.aio.AioRpcError) as refused:
                        await call
                    answers[method] = refused.value.code()
                assert answers == dict.fromkeys(calls, grpc.StatusCode.UNAVAILABLE)

                url = f"{service.websocket_url}/{name}?access_token={platform.token(EDITOR)}"
                async with websockets.connect(url) as connection:
                    with pytest.raises(ConnectionClosed) as closed:
                        await connection.recv()
                assert closed.value.rcvd is not None
                assert closed.value.rcvd.code == CloseCode.TRY_AGAIN_LATER
                assert SPACE_SERVICE in closed.value.rcvd.reason

                health = await health_pb2_grpc.HealthStub(channel).Check(  # type: ignore[attr-defined]
                    health_pb2.HealthCheckRequest()
                )
                assert health.status == health_pb2.HealthCheckResponse.SERVING
