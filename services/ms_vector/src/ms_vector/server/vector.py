"""knowledge.vector.v1.VectorService on the search, document and reindex use cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import grpc
from knowledge.vector.v1 import vector_service_pb2 as api
from knowledge.vector.v1 import vector_service_pb2_grpc
from knowledge_kit.api import caller_name

from ..domain.chunks import DocumentRevision
from ..domain.names import space_of
from ..service.documents import DocumentIndex
from ..service.reindex import Reindexing
from ..service.search import Search
from .messages import (
    operation_message,
    search_query,
    search_response,
    status_message,
)

Context = grpc.aio.ServicerContext[Any, Any]


class VectorServicer(vector_service_pb2_grpc.VectorServiceServicer):
    """Maps each RPC to one use case; the use cases check who may do what."""

    def __init__(self, search: Search, documents: DocumentIndex, reindexing: Reindexing) -> None:
        self._search = search
        self._documents = documents
        self._reindexing = reindexing

    async def SearchChunks(
        self, request: api.SearchChunksRequest, context: Context
    ) -> api.SearchChunksResponse:
        page = await self._search.search(caller_name(), search_query(request))
        return search_response(page)

    async def BatchSearchChunks(
        self, request: api.BatchSearchChunksRequest, context: Context
    ) -> api.BatchSearchChunksResponse:
        pages = await self._search.search_many(
            caller_name(), [search_query(one) for one in request.requests]
        )
        return api.BatchSearchChunksResponse(responses=[search_response(page) for page in pages])

    async def IndexDocument(
        self, request: api.IndexDocumentRequest, context: Context
    ) -> api.IndexDocumentResponse:
        revision = DocumentRevision(
            document=request.document,
            space=space_of(request.document),
            revision=request.revision,
            title=request.title,
            content=request.content,
            content_type=request.content_type or "text/plain",
            updated_at=datetime.now(UTC),
        )
        outcome = await self._documents.index(caller_name(), revision)
        return api.IndexDocumentResponse(
            chunk_count=outcome.status.chunk_count,
            embedding_model=outcome.status.embedding_model,
        )

    async def DeleteDocumentIndex(
        self, request: api.DeleteDocumentIndexRequest, context: Context
    ) -> api.DeleteDocumentIndexResponse:
        removed = await self._documents.remove(caller_name(), request.document)
        return api.DeleteDocumentIndexResponse(removed_chunk_count=removed)

    async def GetDocumentIndexStatus(
        self, request: api.GetDocumentIndexStatusRequest, context: Context
    ) -> api.GetDocumentIndexStatusResponse:
        status = await self._documents.status(caller_name(), request.document)
        return api.GetDocumentIndexStatusResponse(status=status_message(status))

    async def ReindexSpace(
        self, request: api.ReindexSpaceRequest, context: Context
    ) -> api.ReindexSpaceResponse:
        operation = await self._reindexing.start(request.space)
        return api.ReindexSpaceResponse(operation=operation_message(operation))

    async def GetReindexOperation(
        self, request: api.GetReindexOperationRequest, context: Context
    ) -> api.GetReindexOperationResponse:
        operation = await self._reindexing.get(caller_name(), request.name)
        return api.GetReindexOperationResponse(operation=operation_message(operation))
