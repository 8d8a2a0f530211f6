"""Who may call what: no token, an expired token, another user's space, a viewer writing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.knowledge.v1 import document_pb2
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import space_pb2 as space_api
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc

from .conftest import KnowledgeApi, Metadata

OWNER, VIEWER, STRANGER = "users/olivia", "users/vera", "users/sam"

Call = Callable[[KnowledgeApi, str, document_pb2.Document, Metadata], Awaitable[Any]]


async def _first_watch_message(
    api: KnowledgeApi, document: document_pb2.Document, metadata: Metadata
) -> Any:
    stream = api.documents.WatchDocument(
        document_rpc.WatchDocumentRequest(name=document.name), metadata=metadata
    )
    try:
        return await stream.read()
    finally:
        stream.cancel()


READS: dict[str, Call] = {
    "GetSpace": lambda api, s, d, m: api.spaces.GetSpace(
        space_rpc.GetSpaceRequest(name=s), metadata=m
    ),
    "ListSpaceMembers": lambda api, s, d, m: api.spaces.ListSpaceMembers(
        space_rpc.ListSpaceMembersRequest(parent=s), metadata=m
    ),
    "GetDocument": lambda api, s, d, m: api.documents.GetDocument(
        document_rpc.GetDocumentRequest(name=d.name), metadata=m
    ),
    "ListDocuments": lambda api, s, d, m: api.documents.ListDocuments(
        document_rpc.ListDocumentsRequest(parent=s), metadata=m
    ),
    "ListDocumentVersions": lambda api, s, d, m: api.documents.ListDocumentVersions(
        document_rpc.ListDocumentVersionsRequest(parent=d.name), metadata=m
    ),
    "WatchDocument": lambda api, s, d, m: _first_watch_message(api, d, m),
}

WRITES: dict[str, Call] = {
    "UpdateSpace": lambda api, s, d, m: api.spaces.UpdateSpace(
        space_rpc.UpdateSpaceRequest(
            space=space_api.Space(name=s, display_name="Mine now"),
            update_mask=FieldMask(paths=["display_name"]),
        ),
        metadata=m,
    ),
    "DeleteSpace": lambda api, s, d, m: api.spaces.DeleteSpace(
        space_rpc.DeleteSpaceRequest(name=s), metadata=m
    ),
    "InviteSpaceMember": lambda api, s, d, m: api.spaces.InviteSpaceMember(
        space_rpc.InviteSpaceMemberRequest(
            parent=s, user="users/friend", role=space_api.SPACE_ROLE_OWNER
        ),
        metadata=m,
    ),
    "CreateDocument": lambda api, s, d, m: api.documents.CreateDocument(
        document_rpc.CreateDocumentRequest(parent=s, document=document_pb2.Document(title="X")),
        metadata=m,
    ),
    "UpdateDocument": lambda api, s, d, m: api.documents.UpdateDocument(
        document_rpc.UpdateDocumentRequest(
            document=document_pb2.Document(name=d.name, content="overwritten", etag=d.etag),
            update_mask=FieldMask(paths=["content"]),
        ),
        metadata=m,
    ),
    "DeleteDocument": lambda api, s, d, m: api.documents.DeleteDocument(
        document_rpc.DeleteDocumentRequest(name=d.name), metadata=m
    ),
    "RestoreDocumentVersion": lambda api, s, d, m: api.documents.RestoreDocumentVersion(
        document_rpc.RestoreDocumentVersionRequest(name=f"{d.name}/versions/1", etag=d.etag),
        metadata=m,
    ),
}

EVERY_CALL = {**READS, **WRITES}


async def _space_and_document(api: KnowledgeApi) -> tuple[str, document_pb2.Document]:
    space = await api.space_with(OWNER, vera=space_api.SPACE_ROLE_VIEWER)
    document = await api.documents.CreateDocument(
        document_rpc.CreateDocumentRequest(
            parent=space, document=document_pb2.Document(title="Secret plan", content="private")
        ),
        metadata=api.as_user(OWNER),
    )
    return space, document.document


async def _refusal(
    call: Call, api: KnowledgeApi, space: str, document: document_pb2.Document, metadata: Metadata
) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call(api, space, document, metadata)
    return refused.value


async def _unchanged(api: KnowledgeApi, space: str, document: document_pb2.Document) -> None:
    owner = api.as_user(OWNER)
    current = await api.documents.GetDocument(
        document_rpc.GetDocumentRequest(name=document.name), metadata=owner
    )
    members = await api.spaces.ListSpaceMembers(
        space_rpc.ListSpaceMembersRequest(parent=space), metadata=owner
    )
    assert current.document == document
    assert [m.user for m in members.members] == [OWNER, VIEWER]


async def _codes(
    calls: dict[str, Call],
    api: KnowledgeApi,
    space: str,
    document: document_pb2.Document,
    metadata: Metadata,
) -> dict[str, grpc.StatusCode]:
    return {
        rpc: (await _refusal(call, api, space, document, metadata)).code()
        for rpc, call in calls.items()
    }


async def test_calls_without_a_valid_token_are_unauthenticated(api: KnowledgeApi) -> None:
    space, document = await _space_and_document(api)

    missing = await _codes(EVERY_CALL, api, space, document, ())
    expired = await _codes(EVERY_CALL, api, space, document, api.as_user(OWNER, ttl_seconds=-120))

    assert missing == dict.fromkeys(EVERY_CALL, grpc.StatusCode.UNAUTHENTICATED)
    assert expired == dict.fromkeys(EVERY_CALL, grpc.StatusCode.UNAUTHENTICATED)
    await _unchanged(api, space, document)


async def test_another_users_space_is_not_found_and_leaks_nothing(api: KnowledgeApi) -> None:
    space, document = await _space_and_document(api)
    stranger = api.as_user(STRANGER)

    details = {
        rpc: (await _refusal(call, api, space, document, stranger)).details()
        for rpc, call in EVERY_CALL.items()
    }
    codes = await _codes(EVERY_CALL, api, space, document, stranger)

    assert codes == dict.fromkeys(EVERY_CALL, grpc.StatusCode.NOT_FOUND)
    assert details == dict.fromkeys(EVERY_CALL, f"{space} does not exist")
    await _unchanged(api, space, document)


async def test_a_viewer_cannot_write_but_can_read(api: KnowledgeApi) -> None:
    space, document = await _space_and_document(api)
    viewer = api.as_user(VIEWER)

    codes = await _codes(WRITES, api, space, document, viewer)
    for read in READS.values():
        await read(api, space, document, viewer)

    assert codes == dict.fromkeys(WRITES, grpc.StatusCode.PERMISSION_DENIED)
    await _unchanged(api, space, document)
