"""DocumentService over gRPC: documents, optimistic concurrency and the version history."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.knowledge.v1 import document_pb2
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import space_pb2 as space_api
from knowledge_kit.errors import field_violations_of

from .conftest import KnowledgeApi

OWNER, EDITOR, VIEWER = "users/olivia", "users/eddie", "users/vera"


async def create(api: KnowledgeApi, space: str, title: str, content: str) -> document_pb2.Document:
    response = await api.documents.CreateDocument(
        document_rpc.CreateDocumentRequest(
            parent=space, document=document_pb2.Document(title=title, content=content)
        ),
        metadata=api.as_user(EDITOR),
    )
    return response.document


def edit(document: document_pb2.Document, content: str) -> document_rpc.UpdateDocumentRequest:
    return document_rpc.UpdateDocumentRequest(
        document=document_pb2.Document(name=document.name, content=content, etag=document.etag),
        update_mask=FieldMask(paths=["content"]),
    )


async def test_a_document_is_created_read_edited_and_deleted(api: KnowledgeApi) -> None:
    space = await api.space_with(
        OWNER, eddie=space_api.SPACE_ROLE_EDITOR, vera=space_api.SPACE_ROLE_VIEWER
    )
    created = await create(api, space, "Onboarding", "# Welcome")
    edited = (
        await api.documents.UpdateDocument(
            edit(created, "# Welcome!"), metadata=api.as_user(EDITOR)
        )
    ).document
    read = (
        await api.documents.GetDocument(
            document_rpc.GetDocumentRequest(name=created.name), metadata=api.as_user(VIEWER)
        )
    ).document

    assert (created.revision, created.content_type, created.creator) == (1, "text/markdown", EDITOR)
    assert (edited.revision, edited.content, edited.last_editor) == (2, "# Welcome!", EDITOR)
    assert read == edited

    await api.documents.DeleteDocument(
        document_rpc.DeleteDocumentRequest(name=created.name, etag=edited.etag),
        metadata=api.as_user(EDITOR),
    )
    with pytest.raises(grpc.aio.AioRpcError) as gone:
        await api.documents.GetDocument(
            document_rpc.GetDocumentRequest(name=created.name), metadata=api.as_user(VIEWER)
        )
    assert gone.value.code() is grpc.StatusCode.NOT_FOUND


async def test_a_stale_edit_is_aborted_and_the_first_edit_survives(api: KnowledgeApi) -> None:
    space = await api.space_with(OWNER, eddie=space_api.SPACE_ROLE_EDITOR)
    created = await create(api, space, "Plan", "v1")
    await api.documents.UpdateDocument(edit(created, "theirs"), metadata=api.as_user(OWNER))

    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await api.documents.UpdateDocument(edit(created, "mine"), metadata=api.as_user(EDITOR))
    with pytest.raises(grpc.aio.AioRpcError) as stale_delete:
        await api.documents.DeleteDocument(
            document_rpc.DeleteDocumentRequest(name=created.name, etag=created.etag),
            metadata=api.as_user(EDITOR),
        )

    assert stale.value.code() is grpc.StatusCode.ABORTED
    assert stale_delete.value.code() is grpc.StatusCode.ABORTED
    current = await api.documents.GetDocument(
        document_rpc.GetDocumentRequest(name=created.name), metadata=api.as_user(EDITOR)
    )
    assert (current.document.revision, current.document.content) == (2, "theirs")


async def test_documents_are_listed_newest_first_without_content_and_filtered(
    api: KnowledgeApi,
) -> None:
    space = await api.space_with(OWNER, eddie=space_api.SPACE_ROLE_EDITOR)
    for title in ("Runbook: deploys", "Expenses", "runbook: on-call"):
        await create(api, space, title, "body")

    first = await api.documents.ListDocuments(
        document_rpc.ListDocumentsRequest(parent=space, page_size=2), metadata=api.as_user(OWNER)
    )
    rest = await api.documents.ListDocuments(
        document_rpc.ListDocumentsRequest(
            parent=space, page_size=2, page_token=first.next_page_token
        ),
        metadata=api.as_user(OWNER),
    )
    runbooks = await api.documents.ListDocuments(
        document_rpc.ListDocumentsRequest(parent=space, filter='title:"RUNBOOK"'),
        metadata=api.as_user(OWNER),
    )

    assert [d.title for d in [*first.documents, *rest.documents]] == [
        "runbook: on-call",
        "Expenses",
        "Runbook: deploys",
    ]
    assert {d.content for d in first.documents} == {""}
    assert [d.title for d in runbooks.documents] == ["runbook: on-call", "Runbook: deploys"]


@pytest.mark.parametrize(
    ("request_message", "field"),
    [
        (document_rpc.CreateDocumentRequest(parent="spaces/x"), "document.title"),
        (
            document_rpc.CreateDocumentRequest(
                parent="nowhere", document=document_pb2.Document(title="T")
            ),
            "parent",
        ),
        (
            document_rpc.CreateDocumentRequest(
                parent="spaces/x",
                document=document_pb2.Document(title="T", content_type="image/png"),
            ),
            "document.content_type",
        ),
    ],
)
async def test_bad_documents_are_invalid_naming_the_field(
    api: KnowledgeApi, request_message: document_rpc.CreateDocumentRequest, field: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await api.documents.CreateDocument(request_message, metadata=api.as_user(EDITOR))

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(refused.value)] == [field]


async def test_an_edit_without_an_etag_or_filter_gibberish_is_invalid(api: KnowledgeApi) -> None:
    space = await api.space_with(OWNER, eddie=space_api.SPACE_ROLE_EDITOR)
    created = await create(api, space, "Plan", "v1")

    with pytest.raises(grpc.aio.AioRpcError) as no_etag:
        await api.documents.UpdateDocument(
            document_rpc.UpdateDocumentRequest(
                document=document_pb2.Document(name=created.name, content="x")
            ),
            metadata=api.as_user(EDITOR),
        )
    with pytest.raises(grpc.aio.AioRpcError) as bad_filter:
        await api.documents.ListDocuments(
            document_rpc.ListDocumentsRequest(parent=space, filter="title = Plan"),
            metadata=api.as_user(EDITOR),
        )

    assert [v.field for v in field_violations_of(no_etag.value)] == ["document.etag"]
    assert [v.field for v in field_violations_of(bad_filter.value)] == ["filter"]


async def test_a_filter_over_the_platform_maximum_is_invalid_naming_it(
    api_on_test_database: KnowledgeApi,
) -> None:
    api = api_on_test_database  # SQLite by default, which refuses LIKE patterns this long
    space = await api.space_with(OWNER, eddie=space_api.SPACE_ROLE_EDITOR)
    await create(api, space, "Plan", "v1")  # a title for the pattern to be matched against
    huge = 'title:"' + "%_" * 30_000 + '"'

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await api.documents.ListDocuments(
            document_rpc.ListDocumentsRequest(parent=space, filter=huge),
            metadata=api.as_user(OWNER),
        )

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(refused.value)] == ["filter"]
    assert (refused.value.details() or "").startswith("filter 'title:\"%_%_")
    assert "60008 characters long; at most 1024 are accepted" in (refused.value.details() or "")


async def test_past_versions_are_listed_read_and_restored(api: KnowledgeApi) -> None:
    space = await api.space_with(
        OWNER, eddie=space_api.SPACE_ROLE_EDITOR, vera=space_api.SPACE_ROLE_VIEWER
    )
    first = await create(api, space, "Plan", "good")
    second = (
        await api.documents.UpdateDocument(edit(first, "bad"), metadata=api.as_user(EDITOR))
    ).document

    versions = await api.documents.ListDocumentVersions(
        document_rpc.ListDocumentVersionsRequest(parent=first.name), metadata=api.as_user(VIEWER)
    )
    old = await api.documents.GetDocumentVersion(
        document_rpc.GetDocumentVersionRequest(name=f"{first.name}/versions/1"),
        metadata=api.as_user(VIEWER),
    )
    restored = await api.documents.RestoreDocumentVersion(
        document_rpc.RestoreDocumentVersionRequest(name=old.version.name, etag=second.etag),
        metadata=api.as_user(EDITOR),
    )
    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await api.documents.RestoreDocumentVersion(
            document_rpc.RestoreDocumentVersionRequest(name=old.version.name, etag=second.etag),
            metadata=api.as_user(EDITOR),
        )
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await api.documents.GetDocumentVersion(
            document_rpc.GetDocumentVersionRequest(name=f"{first.name}/versions/7"),
            metadata=api.as_user(VIEWER),
        )

    assert [(v.revision, v.content) for v in versions.versions] == [(2, "bad"), (1, "good")]
    assert (old.version.author, old.version.content) == (EDITOR, "good")
    assert (restored.document.revision, restored.document.content) == (3, "good")
    assert stale.value.code() is grpc.StatusCode.ABORTED
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND
    latest = await api.documents.GetDocumentVersion(
        document_rpc.GetDocumentVersionRequest(name=f"{first.name}/versions/3"),
        metadata=api.as_user(VIEWER),
    )
    assert latest.version.restored_from_revision == 1
