"""Every RPC of every service this server serves answers hostile requests (bytes that do not
parse, huge and extreme values, NUL characters) with a deliberate status, never UNKNOWN or
INTERNAL, and the service stays SERVING. Methods come from the server's reflection: a new RPC is
fuzzed without a line here (a seed below only helps its cases past the first checks)."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from knowledge_kit.testing.fuzz_server import fuzz_server

from ms_ml.example_api.v1 import example_pb2, example_pb2_grpc

from .conftest import writer

# The whole run stays within about 20 seconds: cases left over are counted, not sent.
BUDGET_SECONDS = 16.0


async def seeds(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> dict[str, dict[str, Message]]:
    """A valid request per method (by service, then method name), on a note that exists, so that
    each case changes one field of a request that would succeed."""
    notes = example_pb2_grpc.NoteServiceStub(channel)
    created = await notes.CreateNote(
        example_pb2.CreateNoteRequest(note=example_pb2.Note(title="Plan", body="text")),
        metadata=writer(mint_token),
    )
    note = created.note
    return {
        "NoteService": {
            "CreateNote": example_pb2.CreateNoteRequest(
                note=example_pb2.Note(title="Draft", body="text")
            ),
            "GetNote": example_pb2.GetNoteRequest(name=note.name),
            "ListNotes": example_pb2.ListNotesRequest(page_size=2),
            "UpdateNote": example_pb2.UpdateNoteRequest(
                note=example_pb2.Note(name=note.name, title="Plan B", etag=note.etag),
                update_mask=FieldMask(paths=["title"]),
            ),
        },
    }


async def test_every_rpc_answers_hostile_requests_with_a_deliberate_status(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    by_service = await seeds(channel, mint_token)
    await fuzz_server(
        channel, metadata=writer(mint_token), seeds=by_service, budget_seconds=BUDGET_SECONDS
    )
