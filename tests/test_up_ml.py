"""`fleet up` runs ms_ml, and it answers through the edge: the shipped embedder is registered
(models/embedder, version 1 holding the alias `production`, its bytes kept under its SHA-256 in
the run's data directory) and served (Embed on models/embedder/deployments/default answers
256-dimension vectors, the same text the same vector)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from knowledge.ml.v1 import inference_service_pb2 as inference_rpc
from knowledge.ml.v1 import inference_service_pb2_grpc, model_service_pb2_grpc
from knowledge.ml.v1 import model_service_pb2 as model_rpc

from .edge_harness import PASSWORD, PlatformUp, bearer, platform_up, unique_email

SERVICES = ["ms_auth", "ms_ml"]
EMBEDDER = "models/embedder"
DIMENSIONS = 256


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("up")


@pytest.fixture(scope="module")
def platform(state_dir: Path) -> Iterator[PlatformUp]:
    with platform_up(state_dir, SERVICES) as running:
        yield running


def signed_in(channel: grpc.Channel) -> str:
    me = auth_service_pb2_grpc.AuthServiceStub(channel).Register(
        auth_service_pb2.RegisterRequest(
            email=unique_email(), password=PASSWORD, display_name="Grace"
        )
    )
    return str(me.tokens.access_token)


def test_ms_ml_lists_the_shipped_embedder_kept_in_the_runs_data_directory(
    platform: PlatformUp, state_dir: Path
) -> None:
    with grpc.insecure_channel(platform.edge_target) as channel:
        token = signed_in(channel)
        models = model_service_pb2_grpc.ModelServiceStub(channel)
        listed = models.ListModels(model_rpc.ListModelsRequest(), metadata=bearer(token))
        production = models.GetModelVersion(
            model_rpc.GetModelVersionRequest(name=f"{EMBEDDER}/aliases/production"),
            metadata=bearer(token),
        ).model_version

    assert EMBEDDER in [model.name for model in listed.models]
    assert production.name == f"{EMBEDDER}/versions/1"
    assert "production" in production.aliases
    assert production.format == "wordllama-tar"
    kept = state_dir / "data" / "ml-artifacts" / "sha256" / production.sha256[:2]
    assert (kept / production.sha256).stat().st_size == production.size_bytes


def test_ms_ml_embeds_through_the_edge_with_the_shipped_embedder(platform: PlatformUp) -> None:
    with grpc.insecure_channel(platform.edge_target) as channel:
        token = signed_in(channel)
        embedded = inference_service_pb2_grpc.InferenceServiceStub(channel).Embed(
            inference_rpc.EmbedRequest(
                deployment=f"{EMBEDDER}/deployments/default",
                request_key="test",
                texts=["glaciers retreat", "the platform on one machine", "glaciers retreat"],
            ),
            metadata=bearer(token),
        )

    first, second, again = (list(embedding.values) for embedding in embedded.embeddings)
    assert len(first) == len(second) == DIMENSIONS
    assert first == again and first != second
    assert embedded.model_version == f"{EMBEDDER}/versions/1"
