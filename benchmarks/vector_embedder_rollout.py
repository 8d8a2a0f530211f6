"""Rolling out another embedder version in ms_vector: how long the side-by-side generation takes
to build, and what searches cost while it is built, side by side with the same searches before.

    .venv/bin/python benchmarks/vector_embedder_rollout.py [--chunks 10000] [--seconds 5]
        [--per-second 20]

An index of `--chunks` chunks of this repository's prose (vector_corpus.py) is recorded with the
shipped embedder in a SQLite database, loaded as ms_vector's composition root loads it (FAISS
HNSW, BM25), and searched by one user in a loop (hybrid mode, a query drawn from the same prose
each time, one at a time, a pause of 1/`--per-second` after each) for `--seconds`: the
baseline. Then the alias's new holder, a real
second version (the shipped WordLlama weights cut to 128 dimensions, loaded from a wordllama-tar
as ms_vector loads an artifact from ms_ml), is rolled out by `Rollout.roll_out` while the same
loop searches until the new generation serves. ms_ml's part (the alias read, the download) is
left out: it is a fixed cost of one request and one file.

Printed: the rollout's wall time and chunks embedded per second, beside the time the first
index took to record (cut, embedded, written) the same corpus; search p50/p95 before and during,
and their ratio; searches that failed or came back empty (both must be 0).

Measured on 2 cores shared with other work (20 searches a second, 10,000 chunks; a batch of
64 documents is read in one query, embedded in one call and written in one transaction):

    load average at start: 6.13 6.71 7.88
    1826 documents, 10002 chunks; load average at end: 5.73 6.55 7.78
    first index (cut, embed, record)     18.3 s
      + loading it (HNSW, BM25)           5.1 s
    rollout to the 128-d version         13.6 s  (734 chunks/s)
    rollout / (first index + load): x0.58
    searches                count   p50 ms   p95 ms  failed  empty
    before (steady)            81    10.15    18.13       0      0
    during the rollout        171    14.34    40.08       0      0
    during / before: p50 x1.41, p95 x2.21
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import wordllama  # type: ignore[import-untyped]
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.events import Outbox
from ms_vector.adapters.artifact_embedder import (
    TOKENIZER,
    WEIGHTS,
    ArtifactEmbedder,
    fingerprint,
    shipped_files,
)
from ms_vector.adapters.dense_indexes import DenseIndexes
from ms_vector.adapters.faiss_index import FaissVectorIndex
from ms_vector.config import Settings
from ms_vector.domain.chunks import DocumentRevision
from ms_vector.domain.ports import LoadedEmbedder
from ms_vector.domain.search_mode import SearchMode
from ms_vector.main import VectorParts, vector_parts
from ms_vector.service.rollout import Rollout
from ms_vector.service.search import SearchQuery
from safetensors.numpy import load_file, save_file  # type: ignore[import-untyped]
from vector_corpus import Writer, chunking_policy, load_average, prose_sentences, record_index

USER = "users/reader"
SPACES = [f"spaces/team-{n}" for n in range(4)]
SECOND = "models/embedder/versions/2"


class _Versions:
    """The alias's holder: version 2, the shipped weights cut to 128 dimensions."""

    def __init__(self, directory: Path) -> None:
        self._files = directory

    async def holder(self) -> str:
        return SECOND

    async def load(self, version: str, sha256: str = "") -> LoadedEmbedder:
        embedder = await asyncio.to_thread(ArtifactEmbedder, version, self._files)
        return LoadedEmbedder(embedder, "", await asyncio.to_thread(fingerprint, self._files))


class _NoDocuments:
    async def members(self, space: str, token: str) -> dict[str, int]:
        raise ConnectionError("no ms_knowledge in this benchmark")

    async def revisions(self, space: str, token: str) -> AsyncIterator[DocumentRevision]:
        raise ConnectionError("no ms_knowledge in this benchmark")
        yield  # pragma: no cover


def _truncated(directory: Path, dimensions: int) -> Path:
    shipped = Path(wordllama.__file__).parent
    (directory / WEIGHTS).parent.mkdir(parents=True)
    (directory / TOKENIZER).parent.mkdir(parents=True)
    tensors = load_file(str(shipped / WEIGHTS))
    save_file({k: v[:, :dimensions].copy() for k, v in tensors.items()}, str(directory / WEIGHTS))
    shutil.copy(shipped / TOKENIZER, directory / TOKENIZER)
    return directory


class _Loop:
    def __init__(self, vector: VectorParts, queries: list[str], per_second: float) -> None:
        self._pause = 1.0 / per_second
        self._vector = vector
        self._queries = queries
        self.latencies: list[float] = []
        self.failed = 0
        self.empty = 0

    async def run(self, until: asyncio.Event) -> None:
        index = 0
        while not until.is_set():
            query = self._queries[index % len(self._queries)]
            index += 1
            started = time.perf_counter()
            try:
                page = await self._vector.search.search(USER, SearchQuery(query, SearchMode.HYBRID))
            except Exception:
                self.failed += 1
                continue
            self.latencies.append((time.perf_counter() - started) * 1000)
            if not page.results:
                self.empty += 1
            await asyncio.sleep(self._pause)


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


async def main(chunks: int, seconds: float, per_second: float) -> None:
    logging.getLogger().setLevel(logging.WARNING)  # wordllama's import turns INFO on
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        url = f"sqlite+aiosqlite:///{root / 'vector.db'}"
        settings = Settings(database_url=url, index_path=root / "index.npz")
        writer = Writer(prose_sentences())
        documents, passages = writer.documents(chunks, SPACES, chunking_policy(settings))
        queries = [writer.query() for _ in range(500)]
        shipped = WordLlamaEmbedder()
        print(f"load average at start: {load_average()}")
        started = time.perf_counter()
        await record_index(url, settings, shipped, documents, {USER: SPACES})
        first_index = time.perf_counter() - started

        engine = create_database_engine(url, traced=False)
        sessions = session_factory(engine)
        dense = FaissVectorIndex(shipped.dimensions, settings.index_path)
        vector = vector_parts(
            settings, sessions, Outbox("ms_vector"), shipped, dense, _NoDocuments()
        )
        vector.live.serving.fingerprint = fingerprint(shipped_files())
        started = time.perf_counter()
        await vector.live.load()
        first_load = time.perf_counter() - started
        indexes = DenseIndexes(
            shipped_model=settings.embedding_model, index_path=settings.index_path
        )
        rollout = Rollout(
            sessions,
            vector.live,
            _Versions(_truncated(root / "truncated", 128)),
            indexes.open,
            indexes.discard,
            retire_grace_seconds=0.0,
        )

        before = _Loop(vector, queries, per_second)
        done = asyncio.Event()
        task = asyncio.create_task(before.run(done))
        await asyncio.sleep(seconds)
        done.set()
        await task

        during = _Loop(vector, queries, per_second)
        switched = asyncio.Event()
        task = asyncio.create_task(during.run(switched))
        started = time.perf_counter()
        ok = await rollout.roll_out(SECOND)
        rolled = time.perf_counter() - started
        switched.set()
        await task
        assert ok and vector.live.serving.model == SECOND
        await engine.dispose()

    p50_before, p95_before = _percentiles(before.latencies)
    p50_during, p95_during = _percentiles(during.latencies)
    print(f"{len(documents)} documents, {passages} chunks; load average at end: {load_average()}")
    built = first_index + first_load
    print(f"first index (cut, embed, record) {first_index:8.1f} s")
    print(f"  + loading it (HNSW, BM25)      {first_load:8.1f} s")
    print(f"rollout to the 128-d version     {rolled:8.1f} s  ({passages / rolled:,.0f} chunks/s)")
    print(f"rollout / (first index + load): x{rolled / built:.2f}")
    print("searches                count   p50 ms   p95 ms  failed  empty")
    for name, loop, p50, p95 in (
        ("before (steady)", before, p50_before, p95_before),
        ("during the rollout", during, p50_during, p95_during),
    ):
        print(
            f"{name:20} {len(loop.latencies):8} {p50:8.2f} {p95:8.2f} {loop.failed:7} {loop.empty:6}"
        )
    print(
        f"during / before: p50 x{p50_during / p50_before:.2f}, p95 x{p95_during / p95_before:.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--per-second", type=float, default=20.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.chunks, arguments.seconds, arguments.per_second))
