"""Each service's generated code round-trips a representative call over a real gRPC channel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.activity.v1 import activity_pb2, activity_service_pb2, activity_service_pb2_grpc
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc, session_pb2, user_pb2
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2, canvas_service_pb2_grpc
from knowledge.chat.v1 import chat_service_pb2, chat_service_pb2_grpc, conversation_pb2
from knowledge.common.v1 import time_range_pb2
from knowledge.knowledge.v1 import document_pb2, document_service_pb2, document_service_pb2_grpc
from knowledge.ml.v1 import model_pb2, model_service_pb2, model_service_pb2_grpc
from knowledge.notifications.v1 import (
    notification_pb2,
    notification_service_pb2,
    notification_service_pb2_grpc,
)
from knowledge.vector.v1 import chunk_pb2, vector_service_pb2, vector_service_pb2_grpc

NOW = Timestamp(seconds=1_795_000_000, nanos=5)
DOCUMENT = document_pb2.Document(
    name="spaces/handbook/documents/onboarding",
    title="Onboarding",
    content="# Welcome\n",
    content_type="text/markdown",
    revision=7,
    etag="W/7",
    update_time=NOW,
)


@dataclass(frozen=True)
class RoundTrip:
    """One RPC: the request a client sends and the responses the server answers with."""

    servicer: type[Any]
    register: Callable[[Any, grpc.aio.Server], None]
    stub: type[Any]
    method: str
    request: Message
    responses: list[Message]
    streaming: bool = False


ROUND_TRIPS = {
    "auth": RoundTrip(
        auth_service_pb2_grpc.AuthServiceServicer,
        auth_service_pb2_grpc.add_AuthServiceServicer_to_server,
        auth_service_pb2_grpc.AuthServiceStub,
        "Login",
        auth_service_pb2.LoginRequest(email="ada@example.org", password="correct horse battery"),
        [
            auth_service_pb2.LoginResponse(
                user=user_pb2.User(name="users/ada", role=user_pb2.PLATFORM_ROLE_ADMIN),
                session=session_pb2.Session(name="users/ada/sessions/s1", current=True),
                tokens=session_pb2.TokenPair(
                    access_token="eyJ...", refresh_token="r1", access_token_expire_time=NOW
                ),
            )
        ],
    ),
    "knowledge": RoundTrip(
        document_service_pb2_grpc.DocumentServiceServicer,
        document_service_pb2_grpc.add_DocumentServiceServicer_to_server,
        document_service_pb2_grpc.DocumentServiceStub,
        "WatchDocument",
        document_service_pb2.WatchDocumentRequest(name=DOCUMENT.name),
        [
            document_service_pb2.WatchDocumentResponse(
                change_type=document_service_pb2.DOCUMENT_CHANGE_TYPE_SNAPSHOT, document=DOCUMENT
            ),
            document_service_pb2.WatchDocumentResponse(
                change_type=document_service_pb2.DOCUMENT_CHANGE_TYPE_DELETED, document=DOCUMENT
            ),
        ],
        streaming=True,
    ),
    "canvas": RoundTrip(
        canvas_service_pb2_grpc.CanvasServiceServicer,
        canvas_service_pb2_grpc.add_CanvasServiceServicer_to_server,
        canvas_service_pb2_grpc.CanvasServiceStub,
        "GetCanvasContent",
        canvas_service_pb2.GetCanvasContentRequest(name="spaces/handbook/canvases/map"),
        [
            canvas_service_pb2.GetCanvasContentResponse(
                revision=42,
                nodes=[
                    canvas_pb2.Node(
                        id="n1", kind="note", x=-1.5, y=2.25, attributes={"color": "teal"}
                    ),
                    canvas_pb2.Node(id="n2", kind="document", document=DOCUMENT.name),
                ],
                edges=[canvas_pb2.Edge(id="e1", source_node_id="n1", target_node_id="n2")],
            )
        ],
    ),
    "chat": RoundTrip(
        chat_service_pb2_grpc.ChatServiceServicer,
        chat_service_pb2_grpc.add_ChatServiceServicer_to_server,
        chat_service_pb2_grpc.ChatServiceStub,
        "StreamAnswer",
        chat_service_pb2.StreamAnswerRequest(
            parent="users/ada/conversations/c1", content="How do I start?"
        ),
        [
            chat_service_pb2.StreamAnswerResponse(
                question=conversation_pb2.Message(
                    role=conversation_pb2.MESSAGE_ROLE_USER, content="How do I start?"
                )
            ),
            chat_service_pb2.StreamAnswerResponse(token="Read "),
            chat_service_pb2.StreamAnswerResponse(
                citation=conversation_pb2.Citation(
                    document=DOCUMENT.name, snippet="# Welcome", score=0.5
                )
            ),
            chat_service_pb2.StreamAnswerResponse(
                answer=conversation_pb2.Message(
                    role=conversation_pb2.MESSAGE_ROLE_ASSISTANT, content="Read the handbook."
                )
            ),
        ],
        streaming=True,
    ),
    "vector": RoundTrip(
        vector_service_pb2_grpc.VectorServiceServicer,
        vector_service_pb2_grpc.add_VectorServiceServicer_to_server,
        vector_service_pb2_grpc.VectorServiceStub,
        "SearchChunks",
        vector_service_pb2.SearchChunksRequest(
            query="start", spaces=["spaces/handbook"], page_size=3
        ),
        [
            vector_service_pb2.SearchChunksResponse(
                results=[
                    vector_service_pb2.SearchResult(
                        chunk=chunk_pb2.Chunk(
                            document=DOCUMENT.name, text="# Welcome", end_offset=9
                        ),
                        score=0.75,
                    )
                ]
            )
        ],
    ),
    "activity": RoundTrip(
        activity_service_pb2_grpc.ActivityServiceServicer,
        activity_service_pb2_grpc.add_ActivityServiceServicer_to_server,
        activity_service_pb2_grpc.ActivityServiceStub,
        "AggregateActivities",
        activity_service_pb2.AggregateActivitiesRequest(
            parent="spaces/handbook",
            time_range=time_range_pb2.TimeRange(end_time=NOW),
            interval=activity_pb2.AGGREGATE_INTERVAL_DAY,
        ),
        [
            activity_service_pb2.AggregateActivitiesResponse(
                buckets=[
                    activity_pb2.ActivityBucket(
                        start_time=NOW,
                        counts_by_event_type={"knowledge.knowledge.v1.DocumentUpdated": 2**40},
                        total=2**40,
                    )
                ]
            )
        ],
    ),
    "notifications": RoundTrip(
        notification_service_pb2_grpc.NotificationServiceServicer,
        notification_service_pb2_grpc.add_NotificationServiceServicer_to_server,
        notification_service_pb2_grpc.NotificationServiceStub,
        "StreamNotifications",
        notification_service_pb2.StreamNotificationsRequest(parent="users/ada"),
        [
            notification_service_pb2.StreamNotificationsResponse(unread_count=3),
            notification_service_pb2.StreamNotificationsResponse(
                notification=notification_pb2.Notification(
                    name="users/ada/notifications/n1",
                    category=notification_pb2.NOTIFICATION_CATEGORY_MEMBERSHIP,
                    subject="spaces/handbook",
                )
            ),
        ],
        streaming=True,
    ),
    "ml": RoundTrip(
        model_service_pb2_grpc.ModelServiceServicer,
        model_service_pb2_grpc.add_ModelServiceServicer_to_server,
        model_service_pb2_grpc.ModelServiceStub,
        "PromoteModelVersion",
        model_service_pb2.PromoteModelVersionRequest(
            name="models/embedder/versions/3", stage=model_pb2.MODEL_STAGE_PRODUCTION
        ),
        [
            model_service_pb2.PromoteModelVersionResponse(
                model_version=model_pb2.ModelVersion(
                    name="models/embedder/versions/3",
                    stage=model_pb2.MODEL_STAGE_PRODUCTION,
                    metrics={"recall_at_10": 0.91},
                ),
                archived_model_version="models/embedder/versions/2",
            )
        ],
    ),
}


def answering(trip: RoundTrip, received: list[Message]) -> Any:
    """A servicer of the generated base class whose one method records and answers."""

    async def unary(
        self: Any, request: Message, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Message:
        received.append(request)
        return trip.responses[0]

    async def stream(
        self: Any, request: Message, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Message]:
        received.append(request)
        for response in trip.responses:
            yield response

    implementation = stream if trip.streaming else unary
    return type("Answering", (trip.servicer,), {trip.method: implementation})()


@pytest.mark.parametrize("service", sorted(ROUND_TRIPS))
async def test_a_call_round_trips_over_grpc(service: str) -> None:
    trip = ROUND_TRIPS[service]
    received: list[Message] = []
    server = grpc.aio.server()
    trip.register(answering(trip, received), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = getattr(trip.stub(channel), trip.method)(trip.request, timeout=10)
            answers = [answer async for answer in call] if trip.streaming else [await call]
    finally:
        await server.stop(grace=None)
    assert received == [trip.request]
    assert answers == trip.responses
    assert answers[0].SerializeToString(deterministic=True) == trip.responses[0].SerializeToString(
        deterministic=True
    )
