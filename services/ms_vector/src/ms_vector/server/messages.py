"""Between the service's records and knowledge.vector.v1 messages."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.vector.v1 import chunk_pb2
from knowledge.vector.v1 import vector_service_pb2 as api
from knowledge_kit.api import checked_time_range

from ..domain.chunks import IndexedChunk
from ..domain.reindex import ReindexOperation
from ..domain.search_mode import SearchMode
from ..domain.status import DocumentStatus
from ..service.search import Found, SearchPage, SearchQuery

MODES = {
    api.SEARCH_MODE_UNSPECIFIED: SearchMode.HYBRID,
    api.SEARCH_MODE_HYBRID: SearchMode.HYBRID,
    api.SEARCH_MODE_DENSE: SearchMode.DENSE,
    api.SEARCH_MODE_LEXICAL: SearchMode.LEXICAL,
}
MODE_NUMBERS = {
    SearchMode.HYBRID: api.SEARCH_MODE_HYBRID,
    SearchMode.DENSE: api.SEARCH_MODE_DENSE,
    SearchMode.LEXICAL: api.SEARCH_MODE_LEXICAL,
}


def search_query(request: api.SearchChunksRequest) -> SearchQuery:
    updated_from, updated_before = checked_time_range(request.update_time, "update_time")
    return SearchQuery(
        query=request.query,
        mode=MODES.get(request.mode),
        spaces=tuple(request.spaces),
        documents=tuple(request.documents),
        content_types=tuple(request.content_types),
        updated_from=updated_from,
        updated_before=updated_before,
        page_size=request.page_size,
        page_token=request.page_token,
        min_score=request.min_score,
        max_chunks_per_document=request.max_chunks_per_document,
    )


def search_response(page: SearchPage) -> api.SearchChunksResponse:
    return api.SearchChunksResponse(
        results=[_result(found) for found in page.results],
        next_page_token=page.next_page_token,
        mode=MODE_NUMBERS[page.mode],
    )


def chunk_message(chunk: IndexedChunk) -> chunk_pb2.Chunk:
    return chunk_pb2.Chunk(
        name=chunk.name,
        document=chunk.document,
        revision=chunk.revision,
        title=chunk.title,
        text=chunk.text,
        start_offset=chunk.start,
        end_offset=chunk.end,
        space=chunk.space,
        heading_path=list(chunk.heading_path),
        content_type=chunk.content_type,
        embedding_model=chunk.embedding_model,
        update_time=_timestamp(chunk.updated_at),
    )


def status_message(status: DocumentStatus) -> api.DocumentIndexStatus:
    return api.DocumentIndexStatus(
        document=status.document,
        state=int(status.state),  # type: ignore[arg-type]
        indexed_revision=status.indexed_revision,
        latest_revision=status.latest_revision,
        embedding_model=status.embedding_model,
        chunk_count=status.chunk_count,
        last_error=status.last_error,
        update_time=_timestamp(status.status_time),
    )


def operation_message(operation: ReindexOperation) -> api.ReindexOperation:
    message = api.ReindexOperation(
        name=operation.name,
        space=operation.space,
        state=int(operation.state),  # type: ignore[arg-type]
        documents_total=operation.documents_total,
        documents_indexed=operation.documents_indexed,
        documents_failed=operation.documents_failed,
        error=operation.error,
        create_time=_timestamp(operation.create_time),
    )
    if operation.end_time is not None:
        message.end_time.CopyFrom(_timestamp(operation.end_time))
    return message


def _result(found: Found) -> api.SearchResult:
    return api.SearchResult(
        chunk=chunk_message(found.chunk),
        score=found.score,
        dense_rank=found.dense_rank,
        lexical_rank=found.lexical_rank,
        highlights=[
            api.Highlight(start_offset=start, end_offset=end) for start, end in found.highlights
        ],
    )


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp
