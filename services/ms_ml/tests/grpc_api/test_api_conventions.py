"""The platform's API conventions hold for every List and Update RPC this service serves (the
kit's contract suite); a new one fails here until it gets a seed recipe below."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge_kit.testing.api_contract import CONVENTIONS, ApiContract, ListCase, UpdateCase

from ms_ml.example_api.v1 import example_pb2, example_pb2_grpc

from .conftest import bearer, writer

NOTE_SERVICE = "knowledge.template_example.v1.NoteService"


@pytest.fixture
def contract(channel: grpc.aio.Channel, mint_token: Callable[..., str]) -> ApiContract:
    """A seed recipe for each List and Update RPC of the service."""
    notes = example_pb2_grpc.NoteServiceStub(channel)

    async def created_note(title: str) -> example_pb2.Note:
        request = example_pb2.CreateNoteRequest(note=example_pb2.Note(title=title))
        return (await notes.CreateNote(request, metadata=writer(mint_token))).note

    async def list_notes() -> ListCase:
        for title in ("First", "Second"):
            await created_note(title)
        return ListCase(example_pb2.ListNotesRequest(), bearer(mint_token()))

    async def update_note() -> UpdateCase:
        note = await created_note("Plan")
        request = example_pb2.UpdateNoteRequest(
            note=example_pb2.Note(name=note.name, title="Plan B", etag=note.etag),
            update_mask=FieldMask(paths=["title"]),
        )
        return UpdateCase(request, writer(mint_token))

    return ApiContract(
        channel,
        lists={f"{NOTE_SERVICE}.ListNotes": list_notes},
        updates={f"{NOTE_SERVICE}.UpdateNote": update_note},
    )


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_the_platform_api_conventions_hold(contract: ApiContract, convention: str) -> None:
    await contract.check(convention)
