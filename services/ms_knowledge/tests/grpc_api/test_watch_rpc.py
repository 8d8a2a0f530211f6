"""The live read-only views over gRPC: a watcher sees edits as they are committed."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.knowledge.v1 import document_pb2
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import space_pb2 as space_api
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc

from .conftest import KnowledgeApi

OWNER, EDITOR, VIEWER = "users/olivia", "users/eddie", "users/vera"
SNAPSHOT = document_rpc.DOCUMENT_CHANGE_TYPE_SNAPSHOT
CREATED = document_rpc.DOCUMENT_CHANGE_TYPE_CREATED
UPDATED = document_rpc.DOCUMENT_CHANGE_TYPE_UPDATED
DELETED = document_rpc.DOCUMENT_CHANGE_TYPE_DELETED

WatchResponse = document_rpc.WatchDocumentResponse | document_rpc.WatchSpaceResponse


async def next_change(stream: Any) -> WatchResponse:
    """The next message of a watch stream (failing the test after ten seconds of silence)."""
    message = await asyncio.wait_for(stream.read(), 10)
    assert isinstance(message, WatchResponse), f"the stream ended: {message!r}"
    return message


async def test_a_viewer_watching_a_document_sees_each_edit_live(api: KnowledgeApi) -> None:
    space = await api.space_with(
        OWNER, eddie=space_api.SPACE_ROLE_EDITOR, vera=space_api.SPACE_ROLE_VIEWER
    )
    created = (
        await api.documents.CreateDocument(
            document_rpc.CreateDocumentRequest(
                parent=space, document=document_pb2.Document(title="Live", content="v1")
            ),
            metadata=api.as_user(EDITOR),
        )
    ).document
    stream = api.documents.WatchDocument(
        document_rpc.WatchDocumentRequest(name=created.name), metadata=api.as_user(VIEWER)
    )

    snapshot = await next_change(stream)
    edited = await api.documents.UpdateDocument(
        document_rpc.UpdateDocumentRequest(
            document=document_pb2.Document(name=created.name, content="v2", etag=created.etag),
            update_mask=FieldMask(paths=["content"]),
        ),
        metadata=api.as_user(EDITOR),
    )
    update = await next_change(stream)
    await api.documents.DeleteDocument(
        document_rpc.DeleteDocumentRequest(name=created.name), metadata=api.as_user(EDITOR)
    )
    deletion = await next_change(stream)
    end = await asyncio.wait_for(stream.read(), 10)

    assert (snapshot.change_type, snapshot.document) == (SNAPSHOT, created)
    assert (update.change_type, update.document) == (UPDATED, edited.document)
    assert (deletion.change_type, deletion.document.name) == (DELETED, created.name)
    assert end is grpc.aio.EOF
    assert await stream.code() is grpc.StatusCode.OK


async def test_a_space_watcher_sees_new_documents_without_their_content(
    api: KnowledgeApi,
) -> None:
    space = await api.space_with(OWNER, vera=space_api.SPACE_ROLE_VIEWER)
    stream = api.documents.WatchSpace(
        document_rpc.WatchSpaceRequest(name=space), metadata=api.as_user(VIEWER)
    )
    await asyncio.wait_for(stream.initial_metadata(), 10)

    created = await api.documents.CreateDocument(
        document_rpc.CreateDocumentRequest(
            parent=space, document=document_pb2.Document(title="Fresh", content="secret body")
        ),
        metadata=api.as_user(OWNER),
    )
    change = await next_change(stream)
    stream.cancel()

    assert change.change_type == CREATED
    assert (change.document.name, change.document.title, change.document.content) == (
        created.document.name,
        "Fresh",
        "",
    )


async def test_a_watcher_removed_from_the_space_is_cut_off(api: KnowledgeApi) -> None:
    space = await api.space_with(OWNER, vera=space_api.SPACE_ROLE_VIEWER)
    stream = api.documents.WatchSpace(
        document_rpc.WatchSpaceRequest(name=space), metadata=api.as_user(VIEWER)
    )
    await asyncio.wait_for(stream.initial_metadata(), 10)

    await api.spaces.RemoveSpaceMember(
        space_rpc.RemoveSpaceMemberRequest(name=f"{space}/members/vera"),
        metadata=api.as_user(OWNER),
    )
    await api.documents.CreateDocument(
        document_rpc.CreateDocumentRequest(
            parent=space, document=document_pb2.Document(title="After", content="not for vera")
        ),
        metadata=api.as_user(OWNER),
    )

    with pytest.raises(grpc.aio.AioRpcError) as ended:
        await asyncio.wait_for(stream.read(), 10)
    assert ended.value.code() is grpc.StatusCode.NOT_FOUND
