"""Registry calls the gRPC tests make: models, uploaded artifacts and versions."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import grpc
from knowledge.ml.v1 import (
    artifact_service_pb2 as artifacts_pb,
)
from knowledge.ml.v1 import (
    artifact_service_pb2_grpc,
    model_pb2,
    model_service_pb2_grpc,
)
from knowledge.ml.v1 import (
    model_service_pb2 as models_pb,
)

from ..support import linear
from .conftest import Metadata

CHUNK = 64 * 1024


async def upload_requests(
    data: bytes, *, declared: int | None = None, sha256: str | None = None
) -> AsyncIterator[artifacts_pb.UploadArtifactRequest]:
    yield artifacts_pb.UploadArtifactRequest(
        header=artifacts_pb.ArtifactUploadHeader(
            size_bytes=len(data) if declared is None else declared,
            sha256=sha256 or hashlib.sha256(data).hexdigest(),
        )
    )
    for start in range(0, len(data), CHUNK):
        yield artifacts_pb.UploadArtifactRequest(chunk=data[start : start + CHUNK])


async def created_model(
    channel: grpc.aio.Channel, metadata: Metadata, model_id: str
) -> model_pb2.Model:
    models = model_service_pb2_grpc.ModelServiceStub(channel)
    answer = await models.CreateModel(
        models_pb.CreateModelRequest(
            model=model_pb2.Model(display_name=model_id.title(), task="scoring"), model_id=model_id
        ),
        metadata=metadata,
    )
    return answer.model


async def created_version(
    channel: grpc.aio.Channel, metadata: Metadata, model: str, weight: float, **metrics: float
) -> model_pb2.ModelVersion:
    data = linear([weight])
    uploaded = await artifact_service_pb2_grpc.ArtifactServiceStub(channel).UploadArtifact(
        upload_requests(data), metadata=metadata
    )
    answer = await model_service_pb2_grpc.ModelServiceStub(channel).CreateModelVersion(
        models_pb.CreateModelVersionRequest(
            parent=model,
            model_version=model_pb2.ModelVersion(
                artifact_uri=uploaded.artifact.name,
                size_bytes=uploaded.artifact.size_bytes,
                format="linear-json",
                metrics=metrics,
                tags={"weight": str(weight)},
            ),
        ),
        metadata=metadata,
    )
    return answer.model_version
