"""A `kit.test.Notes` service described by descriptors built here (no .proto to compile): one
request message with a field of each kind, and a method of each streaming shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    field_mask_pb2,
    message_factory,
    timestamp_pb2,
)
from google.protobuf.descriptor import ServiceDescriptor

from knowledge_kit.errors import FieldViolation, ValidationError

_F = descriptor_pb2.FieldDescriptorProto


def _describe() -> ServiceDescriptor:
    file = descriptor_pb2.FileDescriptorProto(
        name="kit/test/notes.proto",
        package="kit.test",
        syntax="proto3",
        dependency=["google/protobuf/timestamp.proto", "google/protobuf/field_mask.proto"],
    )
    kind = file.enum_type.add(name="Kind")
    kind.value.add(name="KIND_UNSPECIFIED", number=0)
    kind.value.add(name="KIND_TEXT", number=1)
    note = file.message_type.add(name="Note")
    for number, (name, type_, type_name, repeated) in enumerate(
        [
            ("name", _F.TYPE_STRING, "", False),
            ("title", _F.TYPE_STRING, "", False),
            ("page_size", _F.TYPE_INT32, "", False),
            ("version", _F.TYPE_INT64, "", False),
            ("score", _F.TYPE_DOUBLE, "", False),
            ("pinned", _F.TYPE_BOOL, "", False),
            ("body", _F.TYPE_BYTES, "", False),
            ("tags", _F.TYPE_STRING, "", True),
            ("kind", _F.TYPE_ENUM, ".kit.test.Kind", False),
            ("due", _F.TYPE_MESSAGE, ".google.protobuf.Timestamp", False),
            ("update_mask", _F.TYPE_MESSAGE, ".google.protobuf.FieldMask", False),
        ],
        start=1,
    ):
        field = note.field.add(name=name, number=number, type=type_)
        field.label = _F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL
        if type_name:
            field.type_name = type_name
    service = file.service.add(name="Notes")
    for method, client_streaming, server_streaming in [
        ("GetNote", False, False),
        ("ListNotes", False, True),
        ("ImportNotes", True, False),
        ("SyncNotes", True, True),
    ]:
        service.method.add(
            name=method,
            input_type=".kit.test.Note",
            output_type=".kit.test.Note",
            client_streaming=client_streaming,
            server_streaming=server_streaming,
        )
    # The dependencies are in the default pool: their modules are imported above.
    assert timestamp_pb2.DESCRIPTOR and field_mask_pb2.DESCRIPTOR
    pool = descriptor_pool.Default()
    pool.AddSerializedFile(file.SerializeToString())
    return pool.FindServiceByName("kit.test.Notes")


NOTES = _describe()
Note: Any = message_factory.GetMessageClass(NOTES.methods_by_name["GetNote"].input_type)


class NotesServicer:
    """Messages built from descriptors have no static type, hence `Any`.

    Checks the name and page size as a service would; `title_as_number` plants a bug: the
    title is parsed as a number, unchecked."""

    def __init__(self, *, title_as_number: bool = False) -> None:
        self._title_as_number = title_as_number

    def _checked(self, note: Any) -> Any:
        name: str = note.name
        if not name.startswith("notes/"):
            raise ValidationError(
                f"name {name!r} is not a note", [FieldViolation("name", "must be notes/{note}")]
            )
        if note.page_size < 0:
            raise ValidationError(
                "page_size must not be negative", [FieldViolation("page_size", "is negative")]
            )
        if self._title_as_number:
            int(note.title or "0")
        return note

    async def GetNote(self, note: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        return self._checked(note)

    async def ListNotes(
        self, note: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Any]:
        checked = self._checked(note)
        for _ in range(min(checked.page_size, 5)):
            yield checked

    async def ImportNotes(
        self, notes: AsyncIterator[Any], context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        last = Note()
        async for note in notes:
            last = self._checked(note)
        return last

    async def SyncNotes(
        self, notes: AsyncIterator[Any], context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Any]:
        async for note in notes:
            yield self._checked(note)


def add_NotesServicer_to_server(servicer: NotesServicer, server: Any) -> None:
    codec = {"request_deserializer": Note.FromString, "response_serializer": Note.SerializeToString}
    handlers = {
        "GetNote": grpc.unary_unary_rpc_method_handler(servicer.GetNote, **codec),
        "ListNotes": grpc.unary_stream_rpc_method_handler(servicer.ListNotes, **codec),
        "ImportNotes": grpc.stream_unary_rpc_method_handler(servicer.ImportNotes, **codec),
        "SyncNotes": grpc.stream_stream_rpc_method_handler(servicer.SyncNotes, **codec),
    }
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(NOTES.full_name, handlers),)
    )
    server.add_registered_method_handlers(NOTES.full_name, handlers)
