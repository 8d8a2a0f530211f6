"""The example RPCs over a real gRPC connection, through the same pipeline the service runs."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from google.protobuf import field_mask_pb2
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from knowledge_kit.errors import field_violations_of

from ms_ml.example_api.v1 import example_pb2, example_pb2_grpc

from .conftest import bearer, writer

NOTE_SERVICE = "knowledge.template_example.v1.NoteService"


async def test_a_writer_creates_a_note_and_a_reader_reads_it(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    notes = example_pb2_grpc.NoteServiceStub(channel)
    created = await notes.CreateNote(
        example_pb2.CreateNoteRequest(note=example_pb2.Note(title="Plan", body="first steps")),
        metadata=writer(mint_token),
    )
    assert created.note.name.startswith("notes/") and created.note.etag
    read = await notes.GetNote(
        example_pb2.GetNoteRequest(name=created.note.name), metadata=bearer(mint_token())
    )
    assert read.note == created.note


async def test_a_list_is_paged_with_tokens_that_only_continue_it(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    notes = example_pb2_grpc.NoteServiceStub(channel)
    for note_id in ("b", "c", "a"):
        await notes.CreateNote(
            example_pb2.CreateNoteRequest(note=example_pb2.Note(title=note_id), note_id=note_id),
            metadata=writer(mint_token),
        )
    reader = bearer(mint_token())

    first = await notes.ListNotes(example_pb2.ListNotesRequest(page_size=2), metadata=reader)
    second = await notes.ListNotes(
        example_pb2.ListNotesRequest(page_size=2, page_token=first.next_page_token),
        metadata=reader,
    )

    assert [note.name for note in first.notes] == ["notes/a", "notes/b"]
    assert [note.name for note in second.notes] == ["notes/c"]
    assert second.next_page_token == ""
    with pytest.raises(grpc.aio.AioRpcError) as forged:
        await notes.ListNotes(
            example_pb2.ListNotesRequest(page_token=first.next_page_token + "x"), metadata=reader
        )
    assert forged.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(forged.value)] == ["page_token"]


async def test_an_update_changes_the_masked_fields_and_refuses_a_stale_etag(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    notes = example_pb2_grpc.NoteServiceStub(channel)
    created = (
        await notes.CreateNote(
            example_pb2.CreateNoteRequest(note=example_pb2.Note(title="Plan", body="first")),
            metadata=writer(mint_token),
        )
    ).note

    updated = (
        await notes.UpdateNote(
            example_pb2.UpdateNoteRequest(
                note=example_pb2.Note(
                    name=created.name, title="ignored", body="second", etag=created.etag
                ),
                update_mask=field_mask_pb2.FieldMask(paths=["body"]),
            ),
            metadata=writer(mint_token),
        )
    ).note

    assert (updated.title, updated.body) == ("Plan", "second")
    assert updated.etag != created.etag
    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await notes.UpdateNote(
            example_pb2.UpdateNoteRequest(
                note=example_pb2.Note(name=created.name, title="Plan C", etag=created.etag)
            ),
            metadata=writer(mint_token),
        )
    assert stale.value.code() is grpc.StatusCode.ABORTED
    with pytest.raises(grpc.aio.AioRpcError) as unknown_field:
        await notes.UpdateNote(
            example_pb2.UpdateNoteRequest(
                note=example_pb2.Note(name=created.name),
                update_mask=field_mask_pb2.FieldMask(paths=["name"]),
            ),
            metadata=writer(mint_token),
        )
    assert unknown_field.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(unknown_field.value)] == ["update_mask"]


async def test_errors_arrive_as_their_status_codes(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    notes = example_pb2_grpc.NoteServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as unauthenticated:
        await notes.GetNote(example_pb2.GetNoteRequest(name="notes/" + "0" * 32))
    assert unauthenticated.value.code() is grpc.StatusCode.UNAUTHENTICATED
    for write in (
        notes.CreateNote(
            example_pb2.CreateNoteRequest(note=example_pb2.Note(title="Plan")),
            metadata=bearer(mint_token()),
        ),
        notes.UpdateNote(
            example_pb2.UpdateNoteRequest(note=example_pb2.Note(name="notes/plan", title="x")),
            metadata=bearer(mint_token()),
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as reader_writes:
            await write
        assert reader_writes.value.code() is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as untitled:
        await notes.CreateNote(
            example_pb2.CreateNoteRequest(note=example_pb2.Note(title=" ")),
            metadata=writer(mint_token),
        )
    assert untitled.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(untitled.value)] == ["note.title"]
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await notes.GetNote(
            example_pb2.GetNoteRequest(name="notes/" + "0" * 32), metadata=bearer(mint_token())
        )
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND


async def test_health_and_reflection_answer(channel: grpc.aio.Channel) -> None:
    check_health = channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
        response_deserializer=health_pb2.HealthCheckResponse.FromString,
    )
    answer = await check_health(health_pb2.HealthCheckRequest(service=NOTE_SERVICE))
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = reflection.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")])
    )
    listed = {
        service.name
        async for response in responses
        for service in response.list_services_response.service
    }
    assert NOTE_SERVICE in listed and "grpc.health.v1.Health" in listed
