"""Room messages published on one instance reach that room's clients on every instance."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from google.protobuf.message import Message
from google.protobuf.wrappers_pb2 import StringValue
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from knowledge_kit.events import new_envelope
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.websocket import SUBPROTOCOL, RoomFanout, RoomHub

from .events_support import note_topic, running_producer
from .websocket_support import chat_server


def _text(event: Message) -> str:
    assert isinstance(event, StringValue)
    return event.value


async def test_a_message_published_on_one_instance_reaches_clients_on_another(
    jwks_endpoint: JwksEndpoint,
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    topic = note_topic(await new_kafka_topic("canvas.updates", partitions=2))
    hubs = [RoomHub(), RoomHub()]
    fanouts = [
        RoomFanout(
            hub,
            bootstrap=kafka_bootstrap,
            topic=topic,
            source="ms_canvas",
            event_type=StringValue,
            to_frame=_text,
        )
        for hub in hubs
    ]
    stop = asyncio.Event()
    for fanout in fanouts:
        await fanout.start()
    relays = [asyncio.create_task(fanout.run(stop)) for fanout in fanouts]
    try:
        async with (
            chat_server(jwks_endpoint, hubs[0]) as first,
            chat_server(jwks_endpoint, hubs[1]) as second,
        ):
            protocols = [SUBPROTOCOL, Subprotocol(f"bearer.{jwks_endpoint.mint()}")]
            async with (
                connect(first, subprotocols=protocols) as here,
                connect(second, subprotocols=protocols) as there,
            ):
                for client in (here, there):
                    await client.recv()
                    await client.send("join canvases/7")
                    assert await client.recv() == "joined canvases/7"
                # A record whose payload does not read (text that is not UTF-8) is skipped:
                # the fan-out of both instances goes on.
                garbled = new_envelope(StringValue(), source="ms_canvas", subject="canvases/7")
                garbled.payload.value = b"\x0a\x01\xff"
                async with running_producer(kafka_bootstrap) as producer:
                    await producer.send_and_wait(
                        topic.name, garbled.SerializeToString(), key=b"canvases/7"
                    )
                await fanouts[1].publish("canvases/7", StringValue(value="node moved"))
                await fanouts[1].publish("canvases/8", StringValue(value="elsewhere"))
                async with asyncio.timeout(30):
                    assert await here.recv() == "node moved"
                    assert await there.recv() == "node moved"
                await fanouts[0].publish("canvases/7", StringValue(value="reply"))
                async with asyncio.timeout(30):
                    assert await there.recv() == "reply"
                    assert await here.recv() == "reply"
    finally:
        stop.set()
        await asyncio.gather(*relays)
        for fanout in fanouts:
            await fanout.stop()
