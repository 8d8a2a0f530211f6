"""The chat WebSocket's JSON frames.

Client frames are JSON objects with a "type" and an optional "id" (up to 64 characters, echoed
in the error frames it causes):

- {"type": "ask", "parent": "users/u/conversations/c", "content": "…", "maxCitations": 8,
  "parentMessage": "…"}: a question (the fields of StreamAnswerRequest, in proto JSON);
- {"type": "regenerate", "parent": "…", "regenerate": "<answer>"}: ask that question again;
- {"type": "resume", "parent": "…", "resumeAnswer": "<answer>", "afterSequence": 12};
- {"type": "stop", "name": "<answer>"}: StopAnswer;
- {"type": "typing", "conversation": "…"}: shown to the user's other connections on it.

Server frames: each StreamAnswerResponse as proto JSON; {"stopped": <Message>} after a stop;
{"typing": {"conversation": "…"}}; {"error": {"code": "invalid_argument", "message": "…",
"fieldViolations": [{"field": "…", "description": "…"}]}, "id": "…"}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message
from knowledge.chat.v1 import chat_service_pb2 as api
from knowledge_kit.errors import DomainError, ValidationError, bounded_text

MAX_ID_CHARS = 64
MAX_MESSAGE_BYTES = 1024
STREAM_TYPES = ("ask", "regenerate", "resume")
TYPES = (*STREAM_TYPES, "stop", "typing")
USAGE = (
    'frames are JSON objects with a "type" of ask, regenerate, resume, stop or typing; '
    "see the service's README"
)


class BadFrame(ValidationError):
    """A frame that is not one of the protocol's."""


class Busy(DomainError):
    """Too much asked of one connection at once."""

    status_code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unavailable(DomainError):
    """Something the service needs is down; the same frame may succeed later."""

    status_code = grpc.StatusCode.UNAVAILABLE


class Internal(DomainError):
    """A failure of the service's own (logged with its traceback)."""

    status_code = grpc.StatusCode.INTERNAL


@dataclass(frozen=True, slots=True)
class ClientFrame:
    type: str
    id: str
    stream: api.StreamAnswerRequest | None = None
    name: str = ""


def parse_frame(text: str) -> ClientFrame:
    """The frame `text` says; BadFrame saying why it is not one."""
    try:
        value = json.loads(text)
    except ValueError:
        raise BadFrame(f"not JSON: {USAGE}") from None
    if not isinstance(value, dict):
        raise BadFrame(f"not a JSON object: {USAGE}")
    _check_text(value)
    kind, frame_id = value.pop("type", None), value.pop("id", "")
    if not isinstance(frame_id, str) or len(frame_id) > MAX_ID_CHARS:
        raise BadFrame(f'"id" must be a string of at most {MAX_ID_CHARS} characters')
    if kind not in TYPES:
        raise BadFrame(f"unknown type {str(kind)[:32]!r}: {USAGE}")
    if kind in STREAM_TYPES:
        request = api.StreamAnswerRequest()
        try:
            json_format.ParseDict(value, request)
        except json_format.ParseError as error:
            raise BadFrame(f"a {kind} frame: {error}") from None
        return ClientFrame(kind, frame_id, stream=request)
    field = "name" if kind == "stop" else "conversation"
    name = value.pop(field, None)
    if not isinstance(name, str) or value:
        raise BadFrame(f'a {kind} frame holds "{field}" (a string) and nothing else')
    return ClientFrame(kind, frame_id, name=name)


def message_frame(message: Message) -> str:
    return json_format.MessageToJson(message, indent=None)


def error_frame(error: DomainError, frame_id: str = "") -> str:
    body: dict[str, Any] = {
        "code": error.status_code.name.lower(),
        "message": bounded_text(error.message, MAX_MESSAGE_BYTES),
    }
    if isinstance(error, ValidationError) and error.violations:
        body["fieldViolations"] = [
            {"field": violation.field, "description": violation.description}
            for violation in error.violations
        ]
    frame: dict[str, Any] = {"error": body}
    if frame_id:
        frame["id"] = frame_id
    return json.dumps(frame)


def _check_text(value: Any) -> None:
    """Text a database can hold: no NUL characters, no unpaired surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            raise BadFrame("text must not hold NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadFrame("text must be valid Unicode (no unpaired surrogates)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)
