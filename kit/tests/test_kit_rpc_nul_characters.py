"""Text holding a NUL character never reaches a handler: the request is INVALID_ARGUMENT naming the
field, whatever the method's shape and however deep the field is."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import Any

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.struct_pb2 import Struct

from knowledge_kit.errors import field_violations_of
from knowledge_kit.rpc.steps.nul_characters import nul_character_path
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import bearer
from .notes_service import NOTES, Note, NotesServicer, add_NotesServicer_to_server


class RecordingNotes(NotesServicer):
    """Remembers the titles its handlers were given."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []

    def _checked(self, note: Any) -> Any:
        self.titles.append(note.title)
        return super()._checked(note)


async def _notes(*notes: Any) -> AsyncIterator[Any]:
    for note in notes:
        yield note


async def _refusal(call: Awaitable[Any]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call
    return refused.value


def _client(channel: grpc.aio.Channel, method: str) -> Any:
    shape = NOTES.methods_by_name[method]
    kind = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }[(shape.client_streaming, shape.server_streaming)]
    return kind(
        f"/{NOTES.full_name}/{method}",
        request_serializer=Note.SerializeToString,
        response_deserializer=Note.FromString,
    )


async def _answers(call: Any) -> list[Any]:
    if hasattr(call, "__aiter__"):
        return [answer async for answer in call]
    return [await call]


@pytest.mark.parametrize(
    ("method", "note", "field"),
    [
        ("GetNote", Note(name="notes/1", title="a\x00b"), "title"),
        ("ListNotes", Note(name="notes/1", tags=["ok", "\x00"]), "tags[1]"),
        (
            "GetNote",
            Note(name="notes/1", update_mask=FieldMask(paths=["\x00"])),
            "update_mask.paths[0]",
        ),
        ("ImportNotes", Note(name="notes/1", title="\x00"), "title"),
        ("SyncNotes", Note(name="notes/1", title="\x00"), "title"),
    ],
)
async def test_nul_in_any_string_field_is_invalid_argument_naming_it(
    start_grpc_server: StartGrpcServer,
    jwks_endpoint: JwksEndpoint,
    method: str,
    note: Any,
    field: str,
) -> None:
    notes = RecordingNotes()
    running = await start_grpc_server((add_NotesServicer_to_server, notes))
    streamed = NOTES.methods_by_name[method].client_streaming
    request = _notes(Note(name="notes/1", title="first"), note) if streamed else note
    async with grpc.aio.insecure_channel(running.target) as channel:
        call = _client(channel, method)(request, metadata=bearer(jwks_endpoint.mint()))
        refused = await _refusal(_answers(call))
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.details() == f"{field} holds a NUL character (\\x00), which text may not contain"
    assert [violation.field for violation in field_violations_of(refused)] == [field]
    assert all("\x00" not in title for title in notes.titles)


async def test_text_without_nul_reaches_the_handler_unchanged(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    notes = RecordingNotes()
    running = await start_grpc_server((add_NotesServicer_to_server, notes))
    title = "\u202e🙂 tab\tand \\0 spelled out"
    async with grpc.aio.insecure_channel(running.target) as channel:
        answers = await _answers(
            _client(channel, "SyncNotes")(
                _notes(Note(name="notes/1", title=title, tags=["a", "b"])),
                metadata=bearer(jwks_endpoint.mint()),
            )
        )
    assert [answer.title for answer in answers] == [title]
    assert notes.titles == [title]


async def test_a_request_whose_bytes_hold_a_zero_byte_outside_its_text_is_accepted(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    notes = RecordingNotes()
    running = await start_grpc_server((add_NotesServicer_to_server, notes))
    note = Note(name="notes/1", title="fine", tags=["", "x"])  # the empty tag's length is 0
    assert b"\x00" in note.SerializeToString()
    async with grpc.aio.insecure_channel(running.target) as channel:
        answer = await _client(channel, "GetNote")(note, metadata=bearer(jwks_endpoint.mint()))
    assert answer.title == "fine"
    assert notes.titles == ["fine"]


async def test_a_caller_without_a_token_is_unauthenticated_before_its_text_is_looked_at(
    start_grpc_server: StartGrpcServer,
) -> None:
    running = await start_grpc_server((add_NotesServicer_to_server, NotesServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        refused = await _refusal(_client(channel, "GetNote")(Note(title="\x00")))
    assert refused.code() == grpc.StatusCode.UNAUTHENTICATED


def test_map_keys_and_values_and_nested_messages_are_searched() -> None:
    value_holds_nul = Struct()
    value_holds_nul.update({"outer": {"list": ["fine", "bad\x00"]}})
    key_holds_nul = Struct()
    key_holds_nul.update({"k\x00": 1})
    assert nul_character_path(value_holds_nul) == (
        "fields['outer'].struct_value.fields['list'].list_value.values[1].string_value"
    )
    assert nul_character_path(key_holds_nul) == "fields"
    fine = Struct()
    fine.update({"fine": ["x", {"y": "z"}]})
    assert nul_character_path(fine) is None
