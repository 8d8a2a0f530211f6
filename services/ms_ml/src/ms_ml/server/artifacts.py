"""knowledge.ml.v1.ArtifactService: streamed uploads and downloads of artifacts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from knowledge.ml.v1 import artifact_service_pb2, artifact_service_pb2_grpc

from ..domain.artifacts import CHUNK_BYTES
from ..domain.names import invalid
from ..service.artifacts import Artifacts
from .messages import artifact_message

Context = grpc.aio.ServicerContext[Any, Any]
pb = artifact_service_pb2


class ArtifactServicer(artifact_service_pb2_grpc.ArtifactServiceServicer):
    """Artifacts in and out, never buffered whole."""

    def __init__(self, artifacts: Artifacts) -> None:
        self._artifacts = artifacts

    async def UploadArtifact(
        self, request_iterator: AsyncIterator[pb.UploadArtifactRequest], context: Context
    ) -> pb.UploadArtifactResponse:
        first = await anext(aiter(request_iterator), None)
        if first is None or first.WhichOneof("part") != "header":
            raise invalid("header", "must be the first message: the artifact's size and sha256")
        stored = await self._artifacts.upload(
            _chunks(request_iterator),
            size_bytes=first.header.size_bytes,
            sha256=first.header.sha256,
        )
        return pb.UploadArtifactResponse(artifact=artifact_message(stored))

    async def DownloadArtifact(
        self, request: pb.DownloadArtifactRequest, context: Context
    ) -> AsyncIterator[pb.DownloadArtifactResponse]:
        info = await self._artifacts.resolve(request.name)
        first = True
        async for chunk in self._artifacts.download(info, request.read_offset):
            yield pb.DownloadArtifactResponse(
                artifact=artifact_message(info) if first else None, chunk=chunk
            )
            first = False
        if first:
            yield pb.DownloadArtifactResponse(artifact=artifact_message(info))

    async def GetArtifact(
        self, request: pb.GetArtifactRequest, context: Context
    ) -> pb.GetArtifactResponse:
        return pb.GetArtifactResponse(
            artifact=artifact_message(await self._artifacts.get(request.name))
        )


async def _chunks(requests: AsyncIterator[pb.UploadArtifactRequest]) -> AsyncIterator[bytes]:
    async for request in requests:
        if request.WhichOneof("part") != "chunk":
            raise invalid("chunk", "every message after the header must carry bytes")
        if len(request.chunk) > CHUNK_BYTES:
            raise invalid("chunk", f"must be at most {CHUNK_BYTES} bytes")
        yield request.chunk
