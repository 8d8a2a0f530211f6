"""An idempotent call that reached an instance just as it stopped is answered by another one.

gRPC's core server answers the calls that arrived but that the event loop had not yet taken up
when the stop began with CANCELLED (grpc/grpc#41785), not UNAVAILABLE; the caller did not cancel
them and no handler ran, so the channels retry them like refusals."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from typing import Any

from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.rpc.server import ServiceServer
from knowledge_kit.settings import ServiceSettings

from .echo_service import SERVICE, EchoServicer, add_EchoServicer_to_server, echo_stub

CALLS = 40


def _settings() -> ServiceSettings:
    return ServiceSettings(
        service_name="ms_test", grpc_host="127.0.0.1", grpc_port=0, shutdown_grace_seconds=5
    )


class BusyInstance:
    """A server on its own event loop (its own process, in effect) that is busy for a moment,
    so calls queue up in gRPC's core, and then stops."""

    def __init__(self) -> None:
        self.port = 0
        self._started = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()))

    def start(self) -> None:
        self._thread.start()
        assert self._started.wait(30)

    def stop_after_busy_moment(self) -> None:
        self._stop.set()

    def join(self) -> None:
        self._thread.join(30)

    async def _serve(self) -> None:
        server = ServiceServer(_settings(), steps=[])
        server.add_servicer(add_EchoServicer_to_server, EchoServicer())
        self.port = await server.start()
        self._started.set()
        await asyncio.get_running_loop().run_in_executor(None, self._stop.wait)
        time.sleep(0.5)  # noqa: ASYNC251 - the busy moment: nothing on this loop runs
        await server.stop()


async def test_calls_caught_by_a_stopping_instance_are_answered_by_the_other() -> None:
    busy = BusyInstance()
    busy.start()
    other = ServiceServer(_settings(), steps=[])
    other.add_servicer(add_EchoServicer_to_server, EchoServicer())
    other_port = await other.start()
    channels = ServiceChannels(default_timeout_seconds=30)
    channel = channels.channel(
        f"ipv4:127.0.0.1:{busy.port},127.0.0.1:{other_port}",
        idempotent_methods=[f"{SERVICE}/Echo"],
    )
    echo = echo_stub(channel)
    try:
        assert (await echo(StringValue(value="first"))).value == "anonymous:first"
        busy.stop_after_busy_moment()
        await asyncio.sleep(0.1)
        answers = await asyncio.gather(
            *(echo(StringValue(value=str(n))) for n in range(CALLS)), return_exceptions=True
        )
    finally:
        await asyncio.get_running_loop().run_in_executor(None, busy.join)
        await channels.close()
        await other.stop(0)
    outcomes: Counter[Any] = Counter(
        "answered" if isinstance(answer, StringValue) else repr(answer) for answer in answers
    )
    assert outcomes == Counter({"answered": CALLS})
