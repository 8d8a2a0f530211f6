"""The embedding model, loaded from the weights its package ships, with the network cut off."""

from __future__ import annotations

import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from knowledge_kit.embeddings import (
    DEFAULT_MODEL,
    EmbeddingModelMissing,
    UnusableEmbeddingModel,
    WordLlamaEmbedder,
)


@pytest.fixture(scope="module")
def embedder() -> WordLlamaEmbedder:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _no_network)
        patch.setattr(socket, "create_connection", _no_network)
        return WordLlamaEmbedder()


def _no_network(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("the embedding model must not reach the network")


def test_the_model_loads_without_the_network_and_names_its_version(
    embedder: WordLlamaEmbedder,
) -> None:
    assert embedder.model == DEFAULT_MODEL
    assert embedder.dimensions == 256
    assert WordLlamaEmbedder("models/embedder/versions/7").model == "models/embedder/versions/7"


def test_vectors_are_normalised_float32_one_row_per_text(embedder: WordLlamaEmbedder) -> None:
    texts = ["How do I reset my password?", "Quarterly revenue grew by 12%.", "ok"]

    vectors = embedder.embed(texts)

    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 256)
    # A text without a token is similar to nothing, rather than a vector of NaN.
    assert not np.any(embedder.embed([""]))


def test_similar_sentences_are_closer_than_unrelated_ones(embedder: WordLlamaEmbedder) -> None:
    question, paraphrase, unrelated = embedder.embed(
        [
            "How can I change the password of my account?",
            "Steps to reset your account password",
            "The river flooded the valley after three days of rain",
        ]
    )

    assert float(question @ paraphrase) > float(question @ unrelated) + 0.2


def test_a_text_embeds_alike_alone_in_a_batch_and_from_many_threads(
    embedder: WordLlamaEmbedder,
) -> None:
    texts = [f"Passage {i}: " + "word " * (i % 97) + "end of passage" for i in range(600)]
    alone = np.stack([embedder.embed([text])[0] for text in texts[:40]])

    batched = embedder.embed(texts)
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(embedder.embed, [texts[i::4] for i in range(4)]))

    assert np.allclose(batched[:40], alone, atol=1e-6)
    for i, vectors in enumerate(threaded):
        assert np.allclose(vectors, batched[i::4], atol=1e-6)


def test_missing_weights_are_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelMissing, match=r"l2_supercat_256\.safetensors"):
        WordLlamaEmbedder(files=tmp_path)


def _shipped() -> Path:
    """The shipped model's files: inside the installed wordllama package."""
    import wordllama  # type: ignore[import-untyped]

    return Path(wordllama.__file__).parent


def _model_files(tmp_path: Path, weights: dict[str, Any]) -> Path:
    """A model directory holding the shipped tokenizer and the given weights."""
    shipped = _shipped()
    tokenizer = "tokenizers/l2_supercat_tokenizer_config.json"
    (tmp_path / "tokenizers").mkdir()
    (tmp_path / "weights").mkdir()
    (tmp_path / tokenizer).write_bytes((shipped / tokenizer).read_bytes())
    save_file(weights, str(tmp_path / "weights/l2_supercat_256.safetensors"))
    return tmp_path


def test_other_weights_in_the_files_are_the_ones_served(
    tmp_path: Path, embedder: WordLlamaEmbedder
) -> None:
    """A model version with other weights (here the shipped ones cut to 64 dimensions) embeds
    as those weights do, not as the copy inside the wordllama package."""
    full = load_file(str(_shipped() / "weights/l2_supercat_256.safetensors"))["embedding.weight"]
    files = _model_files(tmp_path, {"embedding.weight": np.ascontiguousarray(full[:, :64])})

    truncated = WordLlamaEmbedder("models/embedder/versions/2", files=files)
    texts = ["How do I reset my password?", "Quarterly revenue grew by 12%."]
    vectors = truncated.embed(texts)

    assert truncated.dimensions == 64 and vectors.shape == (2, 64)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Averaging token embeddings works per dimension: the shipped model's first 64 dimensions,
    # normalised again, are what the truncated weights give.
    head = embedder.embed(texts)[:, :64]
    assert np.allclose(vectors, head / np.linalg.norm(head, axis=1, keepdims=True), atol=1e-4)


def test_weights_that_are_no_embedding_matrix_are_refused(tmp_path: Path) -> None:
    files = _model_files(tmp_path, {"embedding.weight": np.zeros(8, dtype=np.float32)})
    with pytest.raises(UnusableEmbeddingModel, match="not a token embedding matrix"):
        WordLlamaEmbedder("models/embedder/versions/3", files=files)


# Run in a process of its own, so that its resident memory is the embedder's alone: 1,000 texts
# bring the embedder to its working size, then 19,000 more, each with words never seen (more
# than the 10,000 a tokenizer's word cache would keep: it grew by about 50 MiB here, the
# embedder without it by 1-2 MiB).
_EVER_NEW_WORDS = """
import sys
from knowledge_kit.embeddings import WordLlamaEmbedder

def rss_mib():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024

def texts(first, count):
    return [
        f"Edited at 2026-12-06T10:{n % 60:02d}:{n % 97:02d}.{n:06d}Z by reviewer{n} in the space"
        for n in range(first, first + count)
    ]

embedder = WordLlamaEmbedder()
embedder.embed(texts(0, 1_000))
before = rss_mib()
for first in range(1_000, 20_000, 1_000):
    embedder.embed(texts(first, 1_000))
print(rss_mib() - before)
"""


def test_texts_with_ever_new_words_do_not_grow_the_embedder() -> None:
    """A service embeds edits full of words it never saw before (timestamps, ids, names); the
    embedder keeps none of them."""
    finished = subprocess.run(
        [sys.executable, "-c", _EVER_NEW_WORDS], capture_output=True, text=True, timeout=120
    )

    assert finished.returncode == 0, finished.stderr
    assert float(finished.stdout) < 16, f"grew by {float(finished.stdout):.1f} MiB"
