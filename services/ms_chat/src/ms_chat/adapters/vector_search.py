"""Passages retrieved through ms_vector's SearchChunks, as the asking user: their token goes
with the call, so ms_vector answers only from the spaces they may read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import grpc
from knowledge.vector.v1 import vector_service_pb2 as vector_api
from knowledge.vector.v1 import vector_service_pb2_grpc
from knowledge_kit.errors import DEPENDENCY_DOWN_CODES, DependencyUnavailableError, DomainError

from ..domain.answers import Passage

if TYPE_CHECKING:  # the async stub exists in the type stubs only
    from knowledge.vector.v1.vector_service_pb2_grpc import VectorServiceAsyncStub

SEARCH_METHOD = "knowledge.vector.v1.VectorService/SearchChunks"
DEPENDENCY = "ms_vector"


class VectorSearch:
    """The Retriever port on a channel to ms_vector (the kit's ServiceChannels in production:
    deadlines, trace context and retries on UNAVAILABLE come with it)."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout_seconds: float = 10.0) -> None:
        self._stub: VectorServiceAsyncStub = vector_service_pb2_grpc.VectorServiceStub(channel)
        self._timeout = timeout_seconds

    async def retrieve(
        self, token: str, question: str, spaces: Sequence[str], limit: int
    ) -> list[Passage]:
        request = vector_api.SearchChunksRequest(
            query=question,
            spaces=list(spaces),
            page_size=limit,
            mode=vector_api.SEARCH_MODE_HYBRID,
        )
        try:
            response = await self._stub.SearchChunks(
                request,
                metadata=(("authorization", f"Bearer {token}"),),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as failure:
            if failure.code() in DEPENDENCY_DOWN_CODES:
                raise DependencyUnavailableError(DEPENDENCY) from failure
            raise DomainError(
                f"{DEPENDENCY} refused the search: {failure.code().name} {failure.details()}"
            ) from failure
        return [_passage(result) for result in response.results]


def _passage(result: vector_api.SearchResult) -> Passage:
    chunk = result.chunk
    return Passage(
        chunk=chunk.name,
        document=chunk.document,
        space=chunk.space,
        title=chunk.title,
        revision=chunk.revision,
        text=chunk.text,
        start=chunk.start_offset,
        end=chunk.end_offset,
        score=result.score,
        headings=tuple(chunk.heading_path),
    )
