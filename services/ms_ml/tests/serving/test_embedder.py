"""The embedder ms_vector uses is registered at start, once, and Embed serves it: the same
vectors as the model called directly."""

from __future__ import annotations

import numpy as np
import pytest
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.errors import DomainError

from ms_ml.adapters.local_artifacts import LocalArtifactStore
from ms_ml.config import Settings
from ms_ml.domain.inference import PredictionInput
from ms_ml.main import MlParts, registered_embedder

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
