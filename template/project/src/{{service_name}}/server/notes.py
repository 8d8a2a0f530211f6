"""The worked example's gRPC handler: maps protobuf to the note use cases and back."""

from __future__ import annotations

from typing import Any

import grpc

from ..domain.notes import Note
from ..example_api.v1 import example_pb2, example_pb2_grpc
from ..service.notes import NoteUseCases


class NoteServicer(example_pb2_grpc.NoteServiceServicer):
    """knowledge.template_example.v1.NoteService on top of NoteUseCases."""

    def __init__(self, use_cases: NoteUseCases) -> None:
        self._use_cases = use_cases

    async def CreateNote(
        self, request: example_pb2.CreateNoteRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> example_pb2.Note:
        return note_message(await self._use_cases.create_note(request.title, request.body))

    async def GetNote(
        self, request: example_pb2.GetNoteRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> example_pb2.Note:
        return note_message(await self._use_cases.get_note(request.name))


def note_message(note: Note) -> example_pb2.Note:
    return example_pb2.Note(name=note.name, title=note.title, body=note.body)
