"""The chat over a real WebSocket connection, authenticated the way browsers do it: a question
answered with the same events as StreamAnswer (proto JSON), a dropped answer resumed, typing
shown to the user's other connections, mistakes answered with error frames."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

from ms_chat.main import ChatParts

from ..support import ADA, BOB, ONBOARDING_TEXT, Platform

QUESTION = "Where do new employees get their laptop?"


async def frames_until_answer(socket: ClientConnection) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    while not frames or "answer" not in frames[-1]:
        frames.append(json.loads(await socket.recv()))
    return frames


def kind(frame: dict[str, Any]) -> str:
    return next(key for key in frame if key not in ("sequence", "answerMessage"))


async def test_a_question_is_answered_with_the_streams_events(
    socket_url: str,
    chat: ChatParts,
    platform: Platform,
    offered: Callable[[str], list[Subprotocol]],
) -> None:
    await platform.handbook_and_finance()
    conversation = (await chat.conversations.create(ADA, ADA, "", ())).name

    async with connect(socket_url, subprotocols=offered(ADA)) as socket:
        await socket.send(json.dumps({"type": "ask", "parent": conversation, "content": QUESTION}))
        frames = await frames_until_answer(socket)
        answer = frames[-1]["answer"]
        await socket.send(
            json.dumps(
                {
                    "type": "resume",
                    "parent": conversation,
                    "resumeAnswer": answer["name"],
                    "afterSequence": 2,
                }
            )
        )
        resumed = await frames_until_answer(socket)
        await socket.send(json.dumps({"type": "stop", "name": answer["name"]}))
        stopped = json.loads(await socket.recv())

    order = [kind(frame) for frame in frames]
    assert order[:3] == ["question", "sources", "token"] and order[-1] == "answer"
    assert "citation" in order
    assert [int(frame["sequence"]) for frame in frames] == list(range(1, len(frames) + 1))
    assert {frame["answerMessage"] for frame in frames} == {answer["name"]}
    assert answer["status"] == "ANSWER_STATUS_COMPLETE"
    assert "".join(frame.get("token", "") for frame in frames) == answer["content"]
    for citation in answer["citations"]:
        start, end = citation.get("startOffset", 0), citation["endOffset"]
        assert ONBOARDING_TEXT[start:end] == citation["snippet"]
    assert resumed == frames[2:]
    assert stopped == {"stopped": answer}  # it had ended: returned as it is


async def test_mistakes_get_error_frames_and_the_connection_carries_on(
    socket_url: str,
    chat: ChatParts,
    platform: Platform,
    offered: Callable[[str], list[Subprotocol]],
) -> None:
    await platform.handbook_and_finance()
    conversation = (await chat.conversations.create(ADA, ADA, "", ())).name
    bobs = (await chat.conversations.create(BOB, BOB, "", ())).name
    mistakes = {
        "not json": "invalid_argument",
        json.dumps({"type": "dance"}): "invalid_argument",
        json.dumps({"type": "ask", "id": "1", "parent": conversation}): "invalid_argument",
        json.dumps({"type": "ask", "parent": conversation, "content": "x" * 50_000}): (
            "invalid_argument"
        ),
        json.dumps({"type": "ask", "parent": bobs, "content": QUESTION}): "not_found",
        json.dumps({"type": "stop", "name": f"{bobs}/messages/{'0' * 32}"}): "not_found",
        json.dumps({"type": "ask", "content": "nul \u0000"}): "invalid_argument",
    }

    async with connect(socket_url, subprotocols=offered(ADA)) as socket:
        codes = {}
        for frame, _ in mistakes.items():
            await socket.send(frame)
            codes[frame] = json.loads(await socket.recv())["error"]["code"]
        await socket.send(json.dumps({"type": "ask", "parent": conversation, "content": QUESTION}))
        frames = await frames_until_answer(socket)

    assert codes == mistakes
    assert frames[-1]["answer"]["status"] == "ANSWER_STATUS_COMPLETE"


async def test_an_error_frame_names_the_field_and_echoes_the_frames_id(
    socket_url: str, chat: ChatParts, offered: Callable[[str], list[Subprotocol]]
) -> None:
    conversation = (await chat.conversations.create(ADA, ADA, "", ())).name

    async with connect(socket_url, subprotocols=offered(ADA)) as socket:
        await socket.send(
            json.dumps({"type": "ask", "id": "q-7", "parent": conversation, "content": " "})
        )
        error = json.loads(await socket.recv())

    assert error["id"] == "q-7"
    assert error["error"]["fieldViolations"] == [
        {"field": "content", "description": "must not be empty"}
    ]


@pytest.mark.parametrize(("frame", "code"), [(b"\x00\x01binary", 1003), (b"\xff\xfe", 1007)])
async def test_binary_and_broken_text_frames_close_with_a_code_saying_why(
    socket_url: str, offered: Callable[[str], list[Subprotocol]], frame: bytes, code: int
) -> None:
    async with connect(socket_url, subprotocols=offered(ADA)) as socket:
        if code == 1007:  # a text frame whose bytes are not UTF-8
            await socket.send(frame, text=True)
        else:
            await socket.send(frame)
        await socket.wait_closed()

    assert socket.close_code == code
    async with connect(socket_url, subprotocols=offered(ADA)) as still_serving:
        await still_serving.send("hello")
        assert "error" in json.loads(await still_serving.recv())


async def test_typing_is_shown_to_the_users_other_connections_on_the_conversation(
    socket_url: str, chat: ChatParts, offered: Callable[[str], list[Subprotocol]]
) -> None:
    conversation = (await chat.conversations.create(ADA, ADA, "", ())).name
    typing = json.dumps({"type": "typing", "conversation": conversation})

    async with (
        connect(socket_url, subprotocols=offered(ADA)) as laptop,
        connect(socket_url, subprotocols=offered(ADA)) as phone,
        connect(socket_url, subprotocols=offered(BOB)) as bob,
    ):
        await phone.send(typing)
        await bob.send(typing)  # not his conversation: nothing happens
        await laptop.send(typing)
        shown = json.loads(await phone.recv())

    assert shown == {"typing": {"conversation": conversation}}


async def test_a_connection_without_a_token_is_refused(socket_url: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(socket_url, subprotocols=[Subprotocol("knowledge.v1")]):
            pass
    assert refused.value.response.status_code == 401
