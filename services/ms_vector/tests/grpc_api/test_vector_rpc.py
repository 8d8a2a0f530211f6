"""VectorService through gRPC and the kit's pipeline: the caller is whoever the token names
(a service relaying a user's token searches as that user), every bad field is named, and the
status and chunk fields a client cites come back whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc
import pytest
from knowledge.vector.v1 import vector_service_pb2 as api
from knowledge_kit.errors import field_violations_of
from knowledge_kit.spaces import MemberRole

from ..support import Spaces
from .conftest import bearer

if TYPE_CHECKING:  # the asynchronous stub's type exists in the stubs only
    from knowledge.vector.v1.vector_service_pb2_grpc import VectorServiceAsyncStub

ADA = "users/ada"
SPACE = "spaces/handbook"
DOCUMENT = "spaces/handbook/documents/onboarding"
CONTENT = "# Onboarding\n\n## Laptops\n\nThe IT desk sets up disk encryption on every laptop.\n"


@pytest.fixture
async def editor(spaces: Spaces) -> str:
    await spaces.add(SPACE, ADA, MemberRole.EDITOR)
    return ADA


async def test_an_indexed_document_is_searchable_with_its_citation_and_status(
    stub: VectorServiceAsyncStub, editor: str, mint_token: Callable[..., str]
) -> None:
    ada = bearer(mint_token(editor))
    indexed = await stub.IndexDocument(
        api.IndexDocumentRequest(
            document=DOCUMENT,
            revision=1,
            title="Onboarding",
            content=CONTENT,
            content_type="text/markdown",
        ),
        metadata=ada,
    )
    assert indexed.chunk_count == 1 and indexed.embedding_model.startswith("models/embedder/")
    found = await stub.SearchChunks(api.SearchChunksRequest(query="disk encryption"), metadata=ada)
    assert found.mode == api.SEARCH_MODE_HYBRID
    result = found.results[0]
    chunk = result.chunk
    assert chunk.name == f"{DOCUMENT}/chunks/0" and chunk.space == SPACE and chunk.revision == 1
    assert CONTENT[chunk.start_offset : chunk.end_offset] == chunk.text
    assert list(chunk.heading_path) == ["Onboarding", "Laptops"]
    assert [CONTENT[h.start_offset : h.end_offset] for h in result.highlights] == [
        "disk",
        "encryption",
    ]
    assert result.dense_rank >= 1 and result.lexical_rank == 1
    status = (
        await stub.GetDocumentIndexStatus(
            api.GetDocumentIndexStatusRequest(document=DOCUMENT), metadata=ada
        )
    ).status
    assert (status.state, status.indexed_revision, status.chunk_count) == (
        api.INDEX_STATE_INDEXED,
        1,
        1,
    )
    removed = await stub.DeleteDocumentIndex(
        api.DeleteDocumentIndexRequest(document=DOCUMENT), metadata=ada
    )
    assert removed.removed_chunk_count == 1
    after = await stub.SearchChunks(api.SearchChunksRequest(query="disk encryption"), metadata=ada)
    assert list(after.results) == []


async def test_a_relayed_call_searches_as_the_user_whose_token_it_carries(
    stub: VectorServiceAsyncStub, editor: str, mint_token: Callable[..., str]
) -> None:
    await stub.IndexDocument(
        api.IndexDocumentRequest(document=DOCUMENT, revision=1, content=CONTENT),
        metadata=bearer(mint_token(editor)),
    )
    query = api.SearchChunksRequest(query="laptop")
    for stranger in ("users/eve", "serviceAccounts/ms-chat"):
        answer = await stub.SearchChunks(query, metadata=bearer(mint_token(stranger)))
        assert list(answer.results) == []
    with pytest.raises(grpc.aio.AioRpcError) as anonymous:
        await stub.SearchChunks(query)
    assert anonymous.value.code() is grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (api.SearchChunksRequest(query=""), "query"),
        (api.SearchChunksRequest(query="q" * 100_000), "query"),
        (api.SearchChunksRequest(query="laptop", page_size=500), "page_size"),
        (api.SearchChunksRequest(query="laptop", spaces=["spaces/unknown"]), "spaces[0]"),
        (api.SearchChunksRequest(query="laptop", mode=42), "mode"),  # type: ignore[arg-type]
        (api.SearchChunksRequest(query="laptop", documents=["documents/x"]), "documents[0]"),
    ],
)
async def test_a_bad_search_is_invalid_argument_naming_the_field(
    stub: VectorServiceAsyncStub,
    editor: str,
    mint_token: Callable[..., str],
    request_: api.SearchChunksRequest,
    field: str,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.SearchChunks(request_, metadata=bearer(mint_token(editor)))
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [violation.field for violation in field_violations_of(refused.value)] == [field]


async def test_bad_document_requests_name_the_field(
    stub: VectorServiceAsyncStub, editor: str, mint_token: Callable[..., str]
) -> None:
    ada = bearer(mint_token(editor))
    cases = [
        (api.IndexDocumentRequest(document="onboarding", revision=1), "document"),
        (api.IndexDocumentRequest(document=DOCUMENT, revision=0), "revision"),
        (api.GetDocumentIndexStatusRequest(document="spaces/handbook"), "document"),
        (api.ReindexSpaceRequest(space="handbook"), "space"),
        (api.GetReindexOperationRequest(name="operations/1"), "name"),
    ]
    calls = {
        api.IndexDocumentRequest: stub.IndexDocument,
        api.GetDocumentIndexStatusRequest: stub.GetDocumentIndexStatus,
        api.ReindexSpaceRequest: stub.ReindexSpace,
        api.GetReindexOperationRequest: stub.GetReindexOperation,
    }
    for request, field in cases:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await calls[type(request)](request, metadata=ada)  # type: ignore[operator]
        assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT, field
        assert [v.field for v in field_violations_of(refused.value)] == [field]


async def test_a_document_too_large_is_refused_clearly_and_nothing_is_stored(
    stub: VectorServiceAsyncStub, editor: str, mint_token: Callable[..., str]
) -> None:
    ada = bearer(mint_token(editor))
    oversized = api.IndexDocumentRequest(document=DOCUMENT, revision=1, content="x" * 3_000_000)
    with pytest.raises(grpc.aio.AioRpcError) as refused:  # over the index's 2,000,000 characters
        await stub.IndexDocument(oversized, metadata=ada)
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(refused.value)] == ["content"]
    huge = api.IndexDocumentRequest(document=DOCUMENT, revision=1, content="x" * 20_000_000)
    with pytest.raises(grpc.aio.AioRpcError) as too_big:  # over the server's message limit
        await stub.IndexDocument(huge, metadata=ada)
    assert too_big.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    with pytest.raises(grpc.aio.AioRpcError) as nothing:
        await stub.GetDocumentIndexStatus(
            api.GetDocumentIndexStatusRequest(document=DOCUMENT), metadata=ada
        )
    assert nothing.value.code() is grpc.StatusCode.NOT_FOUND
