"""Unmodified yjs + y-websocket clients (Node) editing one canvas through ms_canvas, with
access checked by the space's roles: convergence, late joiners, viewers, restarts, two instances."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pycrdt
import pytest
import pytest_asyncio
import websockets
from aiokafka import AIOKafkaProducer
from knowledge.canvas.v1.events_pb2 import CanvasHeld, CanvasUpdateRelayed
from knowledge_kit.events import new_envelope
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint

from ms_canvas.domain.instances import Holding
from ms_canvas.domain.presence import AwarenessEntry
from ms_canvas.repository.update_relay import UpdateRelay
from ms_canvas.server.yjs.awareness import parse_awareness_update
from ms_canvas.server.yjs.lib0 import Decoder

from ..support.collaborators import collaborators
from ..support.events import events_about
from ..support.platform import (
    EDITOR,
    OWNER,
    VIEWER,
    CanvasPlatform,
    acknowledged,
    canvas_platform,
    create_canvas,
    join,
)


@pytest_asyncio.fixture
async def platform(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint
) -> AsyncIterator[CanvasPlatform]:
    # Compacting every 10 updates, so restarts and late joiners read snapshots too.
    async with canvas_platform(
        postgres_url, kafka_bootstrap, jwks_endpoint, compact_after_updates="10"
    ) as running:
        yield running


async def test_two_editors_converge_and_a_late_joiner_gets_everything(
    platform: CanvasPlatform,
) -> None:
    service = await platform.start_canvas_service()
    await create_canvas(platform, service)
    async with collaborators() as clients:
        await join(clients, platform, service.websocket_url, ("alice", OWNER), ("bob", EDITOR))
        await clients.call("alice", "putNode", "n1", {"label": "Goals", "x": 10, "y": 20})
        await clients.call("bob", "putNode", "n2", {"label": "Risks", "x": 300, "y": 20})
        for name in ("alice", "bob"):
            await clients.call(name, "waitForNodes", ["n1", "n2"])
        await clients.call("alice", "moveNode", "n2", 320, 40)
        await clients.call("bob", "moveNode", "n1", 15, 25)
        for name in ("alice", "bob"):
            await clients.call(name, "waitForNode", "n1", {"x": 15, "y": 25})
            await clients.call(name, "waitForNode", "n2", {"x": 320, "y": 40})
        assert await clients.call("alice", "nodes") == await clients.call("bob", "nodes")

        await join(clients, platform, service.websocket_url, ("late", EDITOR))
        assert await clients.call("late", "nodes") == await clients.call("alice", "nodes")


async def test_a_viewer_edit_is_refused_while_their_cursor_is_seen(
    platform: CanvasPlatform,
) -> None:
    service = await platform.start_canvas_service()
    await create_canvas(platform, service)
    async with collaborators() as clients:
        await join(clients, platform, service.websocket_url, ("alice", OWNER), ("carol", VIEWER))
        await clients.call("carol", "putNode", "vandal", {"label": "not allowed"})
        await clients.call("carol", "moveCursor", 7, 9)
        await clients.call("alice", "waitForCursor", VIEWER, 7, 9)
        await clients.call("alice", "putNode", "n1", {"label": "after"})
        await clients.call("carol", "waitForNodes", ["n1"])
        assert "vandal" not in await clients.call("alice", "nodes")
        assert await clients.call("carol", "refusals") == 1  # told once, as permission denied
        assert await clients.call("alice", "refusals") == 0

        await join(clients, platform, service.websocket_url, ("late", OWNER))
        assert sorted(await clients.call("late", "nodes")) == ["n1"]


async def test_a_killed_service_loses_no_acknowledged_update(platform: CanvasPlatform) -> None:
    service = await platform.start_canvas_service()
    await create_canvas(platform, service)
    async with collaborators() as clients:
        await join(clients, platform, service.websocket_url, ("alice", OWNER), ("bob", EDITOR))
        for index in range(40):
            await clients.call("alice", "putNode", f"n{index}", {"x": index})
        await clients.call("bob", "waitForNodes", [f"n{index}" for index in range(40)])
        await acknowledged(platform, service, updates=40)
        # The writers go away first, so nothing can come back from a client's own copy.
        await clients.call("alice", "destroy")
        await clients.call("bob", "destroy")
        await service.kill()

        await service.start()
        await join(clients, platform, service.websocket_url, ("after", VIEWER))
        assert sorted(await clients.call("after", "nodes")) == sorted(f"n{i}" for i in range(40))


async def test_what_a_crash_took_before_storing_comes_back_from_the_writer(
    platform: CanvasPlatform,
) -> None:
    """Peers get updates before they are stored; a writer still connected gives back whatever
    the service lost, when its provider reconnects and the two sync."""
    service = await platform.start_canvas_service()
    await create_canvas(platform, service)
    async with collaborators() as clients:
        await join(clients, platform, service.websocket_url, ("alice", OWNER))
        for index in range(40):
            await clients.call("alice", "putNode", f"n{index}", {"x": index})
        await service.kill()

        await service.start()
        await join(clients, platform, service.websocket_url, ("after", VIEWER))
        await clients.call("after", "waitForNodes", [f"n{index}" for index in range(40)])
        await acknowledged(platform, service, updates=1)


async def test_clients_on_two_service_processes_converge(
    platform: CanvasPlatform, kafka_bootstrap: str
) -> None:
    first = await platform.start_canvas_service()
    second = await platform.start_canvas_service()
    await create_canvas(platform, first)
    async with collaborators() as clients:
        await join(clients, platform, first.websocket_url, ("alice", OWNER))
        await join(clients, platform, second.websocket_url, ("bob", EDITOR))
        # A relayed record whose payload does not read (text that is not UTF-8), ahead of the
        # canvas's updates in its partition: both instances skip it and go on relaying.
        garbled = new_envelope(CanvasUpdateRelayed(), source="ms_canvas", subject=platform.canvas)
        garbled.payload.value = b"\x0a\x01\xff"
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(
                "canvas.updates.v1", garbled.SerializeToString(), key=platform.canvas.encode()
            )
        finally:
            await producer.stop()
        await clients.call("alice", "putNode", "from-first", {"x": 1})
        await clients.call("bob", "putNode", "from-second", {"x": 2})
        await clients.call("alice", "waitForNodes", ["from-second"])
        await clients.call("alice", "moveNode", "from-second", 5, 5)
        for name in ("alice", "bob"):
            await clients.call(name, "waitForNode", "from-second", {"x": 5, "y": 5})
            await clients.call(name, "waitForNodes", ["from-first"])
        assert await clients.call("alice", "nodes") == await clients.call("bob", "nodes")


async def test_an_instance_opening_a_canvas_mid_edit_catches_up_and_follows(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint
) -> None:
    # Edits acknowledged one by one, so some are stored, and not relayed, after the second
    # instance loaded the canvas and before the first hears that it holds the canvas too:
    # the second gets them only as the first's answer to its announcement.
    async with canvas_platform(
        postgres_url, kafka_bootstrap, jwks_endpoint, update_batch_seconds="0"
    ) as platform:
        first = await platform.start_canvas_service()
        await create_canvas(platform, first)
        second = await platform.start_canvas_service()
        async with collaborators() as clients:
            await join(clients, platform, first.websocket_url, ("alice", OWNER))
            drawn: list[str] = []

            async def alice_draws(count: int) -> None:
                for _ in range(count):
                    drawn.append(f"n{len(drawn)}")
                    await clients.call("alice", "putNode", drawn[-1], {"x": len(drawn)})

            await alice_draws(10)
            await asyncio.gather(
                alice_draws(40), join(clients, platform, second.websocket_url, ("bob", EDITOR))
            )
            await clients.call("bob", "waitForNodes", drawn)
            await clients.call("bob", "putNode", "from-second", {"x": 0})
            await clients.call("alice", "waitForNodes", ["from-second"])
            assert await clients.call("alice", "nodes") == await clients.call("bob", "nodes")


async def test_a_canvas_on_one_instance_costs_kafka_no_updates_until_another_opens_it(
    platform: CanvasPlatform, kafka_bootstrap: str
) -> None:
    first = await platform.start_canvas_service()
    await create_canvas(platform, first)
    kinds = (CanvasUpdateRelayed, CanvasHeld)
    async with collaborators() as clients:
        await join(clients, platform, first.websocket_url, ("alice", OWNER))
        for index in range(5):
            await clients.call("alice", "putNode", f"n{index}", {"x": index})
        await acknowledged(platform, first, updates=5)
        alone = await events_about(kafka_bootstrap, "canvas.updates.v1", platform.canvas, kinds)
        assert [type(event) for event in alone] == [CanvasHeld], "updates relayed to nobody"
        assert isinstance(alone[0], CanvasHeld) and alone[0].holding == CanvasHeld.HOLDING_OPENED

        second = await platform.start_canvas_service()
        await join(clients, platform, second.websocket_url, ("bob", EDITOR))
        await clients.call("alice", "putNode", "shared", {"x": 9})
        await clients.call("bob", "waitForNodes", ["shared"])
        await acknowledged(platform, first, updates=6)
        together = await events_about(kafka_bootstrap, "canvas.updates.v1", platform.canvas, kinds)
        relayed = [event for event in together if isinstance(event, CanvasUpdateRelayed)]
        assert relayed and relayed[-1].author == OWNER, "the edit after bob came was not relayed"


async def test_a_holder_that_missed_records_gets_them_back_at_its_next_heartbeat(
    platform: CanvasPlatform, kafka_bootstrap: str
) -> None:
    """An instance whose relayed records were lost (Kafka away for a while) is whole again once
    it repeats that it holds the canvas: every heartbeat is answered with what it lacks."""
    service = await platform.start_canvas_service()
    await create_canvas(platform, service)
    elsewhere = UpdateRelay(kafka=kafka_bootstrap, source="ms_canvas")
    await elsewhere.start()  # another instance, holding the canvas with nothing of it
    try:
        async with collaborators() as clients:
            await join(clients, platform, service.websocket_url, ("alice", OWNER))
            await clients.call("alice", "putNode", "drawn", {"x": 1})
            await acknowledged(platform, service, updates=1)
            empty = pycrdt.Doc().get_state()
            answers: list[CanvasUpdateRelayed] = []
            for heartbeat in (1, 2):
                await elsewhere.announce(platform.canvas, Holding.STILL, empty)
                kinds = (CanvasUpdateRelayed,)
                relayed = await events_about(
                    kafka_bootstrap, "canvas.updates.v1", platform.canvas, kinds, count=heartbeat
                )
                answers = [e for e in relayed if isinstance(e, CanvasUpdateRelayed)]
            assert len(answers) == 2, "the second heartbeat went unanswered"
            for answer in answers:
                doc: pycrdt.Doc[pycrdt.Map[object]] = pycrdt.Doc()
                doc.apply_update(answer.update)
                assert "drawn" in (doc.get("nodes", type=pycrdt.Map).to_py() or {})
    finally:
        await elsewhere.stop()


@pytest.mark.parametrize("user", ["users/mallory"])
async def test_a_non_member_cannot_open_the_canvas(platform: CanvasPlatform, user: str) -> None:
    service = await platform.start_canvas_service()
    await create_canvas(platform, service)
    async with collaborators() as clients:
        await clients.open(
            "mallory", "node", service.websocket_url, platform.canvas, platform.token(user), user
        )
        with pytest.raises(AssertionError, match="timed out waiting for sync"):
            await clients.call("mallory", "synced", 1500)
        assert 1008 in await clients.call("mallory", "closeCodes")


async def test_presence_reaches_everyone_once_per_change_without_an_echo_storm(
    platform: CanvasPlatform,
) -> None:
    """y-websocket clients re-send all presence they receive; forwarded blindly, every cursor
    move would come back to each client once per other client."""
    service = await platform.start_canvas_service()
    await create_canvas(platform, service)
    names = [f"viewer{index}" for index in range(8)]
    url = f"{service.websocket_url}/{platform.canvas}"
    token = websockets.Subprotocol(f"bearer.{platform.token(VIEWER)}")
    async with (
        collaborators() as clients,
        websockets.connect(
            url, subprotocols=[websockets.Subprotocol("knowledge.v1"), token]
        ) as observer,
    ):
        for name in names:  # each its own presence, all with a viewer's token
            await clients.open(
                name, "node", service.websocket_url, platform.canvas, platform.token(VIEWER), name
            )
            await clients.call(name, "synced")
        for round_ in range(3):
            for name in names:
                await clients.call(name, "moveCursor", round_, round_)
        for name in names[1:]:
            await clients.call(names[0], "waitForCursor", name, 2, 2)

        received: list[AwarenessEntry] = []
        try:
            while True:
                frame = await asyncio.wait_for(observer.recv(), 1.0)
                assert isinstance(frame, bytes)
                decoder = Decoder(frame)
                if decoder.read_var_uint() == 1:
                    received += parse_awareness_update(decoder.read_var_bytes())
        except TimeoutError:
            pass

    changes = [(entry.client_id, entry.clock) for entry in received]
    assert len(changes) == len(set(changes)), "a presence change reached the observer twice"
    cursors = {entry.state for entry in received if '"cursor":{"x":2' in entry.state}
    assert len(cursors) == len(names)
