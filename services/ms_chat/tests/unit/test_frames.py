"""The WebSocket's client frames: each of the protocol's read, anything else refused with a
reason (an error frame, never a crash)."""

from __future__ import annotations

import json

import pytest
from knowledge_kit.errors import FieldViolation, ValidationError

from ms_chat.server.frames import BadFrame, error_frame, parse_frame

CONVERSATION = "users/ada/conversations/c1"


def test_the_protocols_frames_are_read() -> None:
    ask = parse_frame(
        json.dumps({"type": "ask", "id": "7", "parent": CONVERSATION, "content": "Why?"})
    )
    resume = parse_frame(
        json.dumps(
            {"type": "resume", "parent": CONVERSATION, "resumeAnswer": "a", "afterSequence": "4"}
        )
    )
    stop = parse_frame(json.dumps({"type": "stop", "name": "a"}))
    typing = parse_frame(json.dumps({"type": "typing", "conversation": CONVERSATION}))

    assert ask.stream is not None and (ask.id, ask.stream.content) == ("7", "Why?")
    assert resume.stream is not None and resume.stream.after_sequence == 4
    assert (stop.type, stop.name) == ("stop", "a")
    assert (typing.type, typing.name) == ("typing", CONVERSATION)


@pytest.mark.parametrize(
    "frame",
    [
        "",
        "not json",
        "[1, 2]",
        "null",
        json.dumps({"content": "no type"}),
        json.dumps({"type": "shout"}),
        json.dumps({"type": "ask", "contents": "typo"}),
        json.dumps({"type": "ask", "maxCitations": "many"}),
        json.dumps({"type": "ask", "content": "nul\u0000"}),
        '{"type": "ask", "content": "\\ud800"}',
        json.dumps({"type": "stop"}),
        json.dumps({"type": "stop", "name": 5}),
        json.dumps({"type": "typing", "conversation": CONVERSATION, "extra": 1}),
        json.dumps({"type": "ask", "id": "x" * 65}),
    ],
)
def test_other_frames_are_refused_with_a_reason(frame: str) -> None:
    with pytest.raises(BadFrame) as refused:
        parse_frame(frame)
    assert refused.value.message


def test_an_error_frame_names_the_code_and_the_fields() -> None:
    frame = json.loads(
        error_frame(ValidationError("bad", [FieldViolation("content", "must not be empty")]), "7")
    )

    assert frame == {
        "error": {
            "code": "invalid_argument",
            "message": "bad",
            "fieldViolations": [{"field": "content", "description": "must not be empty"}],
        },
        "id": "7",
    }
