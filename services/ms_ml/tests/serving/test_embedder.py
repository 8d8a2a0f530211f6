"""The embedder ms_vector uses is registered at start, once, and Embed serves it: the same
vectors as the model called directly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from knowledge_kit.api import PageTokens
from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.errors import DomainError
from knowledge_kit.events import Outbox

from ms_ml.adapters.local_artifacts import LocalArtifactStore
from ms_ml.config import Settings
from ms_ml.domain.inference import PredictionInput
from ms_ml.main import MlParts, ml_parts, registered_embedder

DEPLOYMENT = "models/embedder/deployments/default"


async def test_the_shipped_embedder_is_registered_once_and_served_by_embed(
    ml: MlParts, settings: Settings
) -> None:
    await registered_embedder(settings, ml)
    await registered_embedder(settings, ml)  # a restart: nothing registered twice

    versions = (await ml.registry.list_versions("models/embedder", 0, 50, "")).items
    assert [(v.name, v.format, v.aliases) for v in versions] == [
        ("models/embedder/versions/1", "wordllama-tar", ("production",))
    ]
    texts = ["how do I reset my password", "quarterly revenue grew", ""]
    vectors, routed = await ml.inference.embed(DEPLOYMENT, "", texts)
    assert routed.model_version == "models/embedder/versions/1"
    expected = WordLlamaEmbedder().embed(texts)
    assert vectors.shape == (3, 256)
    assert np.allclose(vectors, expected)
    with pytest.raises(DomainError, match="does not answer Predict"):
        await ml.inference.predict(DEPLOYMENT, "", [PredictionInput(text="x")])


async def test_a_store_that_lost_the_shipped_embedder_gets_it_back_at_start(
    ml: MlParts, settings: Settings, store: LocalArtifactStore
) -> None:
    await registered_embedder(settings, ml)
    version = await ml.registry.get_version("models/embedder/versions/1")
    store.path_of(version.sha256).unlink()  # a fresh disk under the same database

    await registered_embedder(settings, ml)

    assert store.path_of(version.sha256).is_file()
    vectors, routed = await ml.inference.embed(DEPLOYMENT, "", ["hello"])
    assert (routed.model_version, vectors.shape) == (version.name, (1, 256))


async def test_two_instances_starting_at_once_on_an_empty_database_register_one_version(
    database_url: str, tmp_path: Path
) -> None:
    instances = []
    engines = []
    for name in ("first", "second"):
        engine = create_database_engine(database_url, traced=False)
        engines.append(engine)
        settings = Settings(
            database_url=database_url,
            artifact_dir=str(tmp_path / name / "artifacts"),
            artifact_cache_dir=str(tmp_path / name / "cache"),
        )
        store = LocalArtifactStore(Path(settings.artifact_dir), max_bytes=64 * 1024 * 1024)
        parts = ml_parts(
            settings, session_factory(engine), Outbox("ms_ml"), store, PageTokens(b"tests")
        )
        instances.append((settings, parts))
    try:
        await asyncio.gather(*(registered_embedder(s, parts) for s, parts in instances))

        for _, parts in instances:
            versions = (await parts.registry.list_versions("models/embedder", 0, 50, "")).items
            assert [(v.name, v.aliases) for v in versions] == [
                ("models/embedder/versions/1", ("production",))
            ]
            vectors, routed = await parts.inference.embed(DEPLOYMENT, "", ["hello"])
            assert (routed.model_version, vectors.shape) == ("models/embedder/versions/1", (1, 256))
    finally:
        for engine in engines:
            await engine.dispose()
