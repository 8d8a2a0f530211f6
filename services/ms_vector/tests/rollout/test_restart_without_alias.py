"""A run without ms_ml (`fleet up --only ...`: no embedder alias followed) on an index that an
earlier run rolled out to another embedder version: ms_vector, started as it runs in production,
serves searches with that version from its verified local copy and says once that it keeps it;
with that copy missing or other bytes in its place it refuses to start, naming the file, what is
wrong with it and what to do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
import pytest
from knowledge.vector.v1 import vector_service_pb2 as api
from knowledge.vector.v1.vector_service_pb2_grpc import VectorServiceStub
from knowledge_kit.testing.service_process import ServiceProcess
from ms_ml.main import MlParts
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_vector.config import Settings
from ms_vector.main import VectorParts, serving_embedder
from ms_vector.repository.generations import SqlGenerations

from ..support import Spaces
from .helpers import ADA, index_notes, register_truncated, rollout_in

DOCUMENTS = 20
KEEPS = "no embedder alias is followed"


async def test_without_an_alias_the_index_keeps_its_rolled_out_version_from_the_local_copy(
    rolled_out: str,
    start_service_process: Callable[..., Awaitable[ServiceProcess]],
    service_env: dict[str, str],
    mint_token: Callable[..., str],
) -> None:
    service = await start_service_process("ms_vector", service_env)
    await service.serving()
    async with grpc.aio.insecure_channel(service.target) as channel:
        found = await VectorServiceStub(channel).SearchChunks(
            api.SearchChunksRequest(query="when do laptops arrive", page_size=20),
            metadata=(("authorization", f"Bearer {mint_token(ADA)}"),),
        )
    output = await service.stop_on_sigterm()

    assert found.results, output
    assert {result.chunk.embedding_model for result in found.results} == {rolled_out}
    assert "laptops arrive" in found.results[0].chunk.text
    assert output.count(KEEPS) == 1, output
    assert f"{KEEPS} (EMBEDDER_ALIAS unset): the index keeps {rolled_out}," in output


async def test_without_an_alias_or_a_verified_local_copy_the_start_is_refused_saying_why(
    rolled_out: str,
    sessions: async_sessionmaker[AsyncSession],
    start_service_process: Callable[..., Awaitable[ServiceProcess]],
    service_env: dict[str, str],
    tmp_path: Path,
) -> None:
    async with sessions() as session:
        record = await SqlGenerations(session).serving()
    assert record is not None and record.model == rolled_out
    artifact = tmp_path / "models" / f"{record.sha256}.tar"

    # Another cache directory, without the artifact: the start is refused, saying what to do.
    elsewhere = Settings(embedder_alias="", model_cache_dir=tmp_path / "elsewhere")
    with pytest.raises(RuntimeError) as missing:
        await serving_embedder(elsewhere, sessions, None)
    assert f"the index is embedded by {rolled_out}" in str(missing.value)
    assert f"{tmp_path / 'elsewhere' / artifact.name} is missing" in str(missing.value)
    assert "MS_VECTOR_EMBEDDER_ALIAS" in str(missing.value)
    assert "MS_VECTOR_MODEL_CACHE_DIR" in str(missing.value)

    # Other bytes in the artifact's place: the service exits before it serves, saying so.
    artifact.write_bytes(b"half a download")
    service = await start_service_process("ms_vector", service_env)
    with pytest.raises(AssertionError, match="exited with 1 before it served") as refused:
        await service.serving()
    assert f"the index is embedded by {rolled_out}" in str(refused.value)
    assert f"{artifact} does not match its SHA-256" in str(refused.value)
    assert "MS_VECTOR_EMBEDDER_ALIAS" in str(refused.value)
    assert KEEPS not in str(refused.value)


@pytest.fixture
def service_env(database_url: str, kafka_bootstrap: str, tmp_path: Path) -> dict[str, str]:
    """ms_vector's settings in a run without ms_ml: no EMBEDDER_ALIAS, the earlier run's index
    and model cache."""
    return {
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP": kafka_bootstrap,
        "INDEX_PATH": str(tmp_path / "index.npz"),
        "MODEL_CACHE_DIR": str(tmp_path / "models"),
    }


@pytest.fixture
async def rolled_out(
    vector: VectorParts,
    sessions: async_sessionmaker[AsyncSession],
    spaces: Spaces,
    ml: MlParts,
    ml_channel: grpc.aio.Channel,
    mint_token: Callable[..., str],
    tmp_path: Path,
) -> str:
    """The index of an earlier run that followed ms_ml's alias: rolled out to a second version
    (the shipped weights cut to 128 dimensions), its artifact in the model cache."""
    await index_notes(vector, spaces, DOCUMENTS)
    second = await register_truncated(ml, tmp_path / "truncated", dimensions=128)
    token = mint_token("serviceAccounts/ms-vector")
    rollout = rollout_in(
        tmp_path, sessions, vector.live, ml_channel, token, retire_grace_seconds=0.1
    )
    assert await rollout.roll_out(second)
    assert vector.live.serving.model == second
    await vector.live.serving.index.dense.close()  # persisted, as the earlier run's stop does
    return second
