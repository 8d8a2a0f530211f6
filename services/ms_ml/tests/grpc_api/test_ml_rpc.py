"""The registry, artifacts, deployments and serving through gRPC, as a client sees them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import grpc
import pytest
from knowledge.ml.v1 import (
    artifact_service_pb2 as artifacts_pb,
)
from knowledge.ml.v1 import (
    artifact_service_pb2_grpc,
    deployment_pb2,
    deployment_service_pb2_grpc,
    inference_service_pb2_grpc,
    model_pb2,
    model_service_pb2_grpc,
)
from knowledge.ml.v1 import (
    deployment_service_pb2 as deployments_pb,
)
from knowledge.ml.v1 import (
    inference_service_pb2 as inference_pb,
)
from knowledge.ml.v1 import (
    model_service_pb2 as models_pb,
)
from knowledge_kit.errors import field_violations_of

from ms_ml.adapters.local_artifacts import LocalArtifactStore

from .conftest import admin, member
from .registry_calls import created_model, created_version, upload_requests

LIMIT = 32 * 1024 * 1024


async def test_an_upload_past_the_limit_is_refused_and_nothing_is_registered(
    channel: grpc.aio.Channel, mint_token: Callable[..., str], store: LocalArtifactStore
) -> None:
    artifacts = artifact_service_pb2_grpc.ArtifactServiceStub(channel)
    huge = b"\x01" * (64 * 1024)

    with pytest.raises(grpc.aio.AioRpcError) as declared:
        await artifacts.UploadArtifact(
            upload_requests(huge, declared=2 * 1024**3), metadata=admin(mint_token)
        )
    assert declared.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "over the limit of 33554432 bytes" in (declared.value.details() or "")
    assert [v.field for v in field_violations_of(declared.value)] == ["header.size_bytes"]

    with pytest.raises(grpc.aio.AioRpcError) as undeclared:
        await artifacts.UploadArtifact(
            upload_requests(huge, declared=1000, sha256=hashlib.sha256(huge).hexdigest()),
            metadata=admin(mint_token),
        )
    assert undeclared.value.code() is grpc.StatusCode.INVALID_ARGUMENT

    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await artifacts.GetArtifact(
            artifacts_pb.GetArtifactRequest(name=f"artifacts/{hashlib.sha256(huge).hexdigest()}"),
            metadata=admin(mint_token),
        )
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND
    assert not any((store.path_of("0" * 64).parent.parent).glob("*/*"))


async def test_a_version_on_an_artifact_never_uploaded_is_refused(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    ranker = await created_model(channel, admin(mint_token), "ranker")
    models = model_service_pb2_grpc.ModelServiceStub(channel)

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await models.CreateModelVersion(
            models_pb.CreateModelVersionRequest(
                parent=ranker.name,
                model_version=model_pb2.ModelVersion(
                    artifact_uri=f"artifacts/{'a' * 64}", size_bytes=10, format="linear-json"
                ),
            ),
            metadata=admin(mint_token),
        )
    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as unknown_format:
        await models.CreateModelVersion(
            models_pb.CreateModelVersionRequest(
                parent=ranker.name,
                model_version=model_pb2.ModelVersion(
                    artifact_uri=f"artifacts/{'a' * 64}", size_bytes=10, format="pickle"
                ),
            ),
            metadata=admin(mint_token),
        )
    assert [v.field for v in field_violations_of(unknown_format.value)] == ["model_version.format"]
    listed = await models.ListModelVersions(
        models_pb.ListModelVersionsRequest(parent=ranker.name), metadata=admin(mint_token)
    )
    assert list(listed.model_versions) == []


async def test_a_download_streams_the_verified_bytes_and_refuses_corrupt_ones(
    channel: grpc.aio.Channel, mint_token: Callable[..., str], store: LocalArtifactStore
) -> None:
    ranker = await created_model(channel, admin(mint_token), "ranker")
    version = await created_version(channel, admin(mint_token), ranker.name, 1.5)
    artifacts = artifact_service_pb2_grpc.ArtifactServiceStub(channel)

    parts = [
        part
        async for part in artifacts.DownloadArtifact(
            artifacts_pb.DownloadArtifactRequest(name=version.name), metadata=member(mint_token)
        )
    ]
    assert parts[0].artifact.sha256 == version.sha256
    assert hashlib.sha256(b"".join(p.chunk for p in parts)).hexdigest() == version.sha256

    store.path_of(version.sha256).write_bytes(b'{"weights": [9.9]}')
    with pytest.raises(grpc.aio.AioRpcError) as corrupt:
        async for _ in artifacts.DownloadArtifact(
            artifacts_pb.DownloadArtifactRequest(name=version.artifact_uri),
            metadata=member(mint_token),
        ):
            pass
    assert corrupt.value.code() is grpc.StatusCode.DATA_LOSS
    assert "is corrupt" in (corrupt.value.details() or "")


async def test_search_finds_versions_by_metric_and_tag_best_first(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    ranker = await created_model(channel, admin(mint_token), "ranker")
    for weight, ndcg in ((1.0, 0.41), (2.0, 0.72), (3.0, 0.65), (4.0, 0.90)):
        await created_version(channel, admin(mint_token), ranker.name, weight, ndcg_at_10=ndcg)
    models = model_service_pb2_grpc.ModelServiceStub(channel)

    found = await models.SearchModelVersions(
        models_pb.SearchModelVersionsRequest(
            parent="models/-",
            metric_conditions=[
                models_pb.MetricCondition(
                    metric="ndcg_at_10",
                    comparison=model_pb2.METRIC_COMPARISON_GREATER_THAN,
                    value=0.6,
                )
            ],
            tags={"weight": "2.0"},
            order_by_metric="ndcg_at_10",
        ),
        metadata=member(mint_token),
    )
    assert [v.metrics["ndcg_at_10"] for v in found.model_versions] == [0.72]
    best = await models.SearchModelVersions(
        models_pb.SearchModelVersionsRequest(parent=ranker.name, order_by_metric="ndcg_at_10"),
        metadata=member(mint_token),
    )
    assert [v.metrics["ndcg_at_10"] for v in best.model_versions] == [0.90, 0.72, 0.65, 0.41]


async def test_predict_answers_with_the_deployed_version_and_names_bad_fields(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    ranker = await created_model(channel, admin(mint_token), "ranker")
    version = await created_version(channel, admin(mint_token), ranker.name, 2.0)
    deployments = deployment_service_pb2_grpc.DeploymentServiceStub(channel)
    created = await deployments.CreateDeployment(
        deployments_pb.CreateDeploymentRequest(
            parent=ranker.name,
            deployment_id="serving",
            deployment=deployment_pb2.Deployment(model_version=version.name),
        ),
        metadata=admin(mint_token),
    )
    inference = inference_service_pb2_grpc.InferenceServiceStub(channel)

    answer = await inference.Predict(
        inference_pb.PredictRequest(
            deployment=created.deployment.name,
            request_key="user-1",
            inputs=[inference_pb.PredictionInput(features=[1.5])],
        ),
        metadata=member(mint_token),
    )
    assert ([p.score for p in answer.predictions], answer.model_version) == ([3.0], version.name)

    async def refused(request: inference_pb.PredictRequest) -> tuple[grpc.StatusCode, list[str]]:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await inference.Predict(request, metadata=member(mint_token))
        return error.value.code(), [v.field for v in field_violations_of(error.value)]

    assert await refused(
        inference_pb.PredictRequest(
            deployment=created.deployment.name,
            inputs=[inference_pb.PredictionInput(features=[1.0, 2.0])],
        )
    ) == (grpc.StatusCode.INVALID_ARGUMENT, ["inputs[0].features"])
    assert await refused(inference_pb.PredictRequest(deployment=created.deployment.name)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        ["inputs"],
    )
    assert (
        await refused(
            inference_pb.PredictRequest(
                deployment=f"{ranker.name}/deployments/nope",
                inputs=[inference_pb.PredictionInput(features=[1.0])],
            )
        )
    )[0] is grpc.StatusCode.NOT_FOUND


async def test_only_administrators_and_service_accounts_change_the_registry(
    channel: grpc.aio.Channel, mint_token: Callable[..., str]
) -> None:
    models = model_service_pb2_grpc.ModelServiceStub(channel)

    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await models.CreateModel(
            models_pb.CreateModelRequest(model_id="mine"), metadata=member(mint_token)
        )
    assert denied.value.code() is grpc.StatusCode.PERMISSION_DENIED
    service = (("authorization", f"Bearer {mint_token('serviceAccounts/ms-chat')}"),)
    created = await models.CreateModel(
        models_pb.CreateModelRequest(model_id="mine"), metadata=service
    )
    assert created.model.owner == "serviceAccounts/ms-chat"
