"""The worked example's gRPC handler: maps protobuf to the note use cases and back."""

from __future__ import annotations

from typing import Any

import grpc
from knowledge_kit.api import update_paths

from ..domain.notes import Note, NoteChanges
from ..example_api.v1 import example_pb2, example_pb2_grpc
from ..service.notes import UPDATABLE_NOTE_FIELDS, NoteUseCases

Context = grpc.aio.ServicerContext[Any, Any]


class NoteServicer(example_pb2_grpc.NoteServiceServicer):
    """knowledge.template_example.v1.NoteService on top of NoteUseCases."""

    def __init__(self, use_cases: NoteUseCases) -> None:
        self._use_cases = use_cases

    async def CreateNote(
        self, request: example_pb2.CreateNoteRequest, context: Context
    ) -> example_pb2.CreateNoteResponse:
        note = await self._use_cases.create_note(
            request.note_id, request.note.title, request.note.body
        )
        return example_pb2.CreateNoteResponse(note=note_message(note))

    async def GetNote(
        self, request: example_pb2.GetNoteRequest, context: Context
    ) -> example_pb2.GetNoteResponse:
        return example_pb2.GetNoteResponse(
            note=note_message(await self._use_cases.get_note(request.name))
        )

    async def ListNotes(
        self, request: example_pb2.ListNotesRequest, context: Context
    ) -> example_pb2.ListNotesResponse:
        page = await self._use_cases.list_notes(request.page_size, request.page_token)
        return example_pb2.ListNotesResponse(
            notes=[note_message(note) for note in page.items],
            next_page_token=page.next_page_token,
        )

    async def UpdateNote(
        self, request: example_pb2.UpdateNoteRequest, context: Context
    ) -> example_pb2.UpdateNoteResponse:
        changes = NoteChanges(
            paths=update_paths(request.update_mask, request.note, UPDATABLE_NOTE_FIELDS),
            title=request.note.title,
            body=request.note.body,
        )
        note = await self._use_cases.update_note(request.note.name, changes, etag=request.note.etag)
        return example_pb2.UpdateNoteResponse(note=note_message(note))


def note_message(note: Note) -> example_pb2.Note:
    return example_pb2.Note(name=note.name, title=note.title, body=note.body, etag=note.etag)
