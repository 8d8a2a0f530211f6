"""What the rollout tests share: notes indexed, ms_ml read as ms_vector reads it, a searcher
running throughout, waits on the index and the record, and a second embedder version registered
in ms_ml."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
import wordllama  # type: ignore[import-untyped]
from knowledge_kit.spaces import MemberRole
from ms_ml.domain.models import VersionDraft
from ms_ml.main import MlParts
from ms_ml.service.formats import WORDLLAMA_FILES, wordllama_tar
from safetensors.numpy import load_file, save_file  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_vector.adapters.dense_indexes import DenseIndexes
from ms_vector.adapters.ml_models import MlEmbedders
from ms_vector.adapters.service_tokens import FixedToken
from ms_vector.config import DEFAULT_EMBEDDING_MODEL
from ms_vector.domain.search_mode import SearchMode
from ms_vector.main import VectorParts
from ms_vector.repository.tables import chunks
from ms_vector.service.live_index import LiveIndex
from ms_vector.service.rollout import Rollout
from ms_vector.service.search import SearchQuery

from ..support import Spaces, revision

SPACE = "spaces/handbook"
ADA = "users/ada"
ADMIN = "users/root"
ALIAS = "models/embedder/aliases/production"
LIMIT_SECONDS = 240
TOPICS = [
    "laptops arrive on Monday and are set up by the IT desk",
    "expense reports are filed within thirty days of the purchase",
    "the office closes at six on Fridays in summer",
    "passwords are reset from the account page with a code by email",
    "new hires meet their mentor during the first week",
]


class Searcher:
    """Searches as a user would, again and again, noting what answered."""

    def __init__(self, vector: VectorParts) -> None:
        self._vector = vector
        self.count = 0
        self.while_building = 0
        self.empty = 0
        self.failures: list[str] = []
        self.models_seen: list[str] = []

    async def run(self, stop: asyncio.Event) -> None:
        modes = [SearchMode.HYBRID, SearchMode.DENSE]
        while not stop.is_set():
            mode = modes[self.count % 2]
            if self._vector.live.building is not None:
                self.while_building += 1
            try:
                page = await self._vector.search.search(
                    ADA, SearchQuery("when do laptops arrive", mode)
                )
            except Exception as error:
                self.failures.append(repr(error))
            else:
                if not page.results:
                    self.empty += 1
                else:
                    model = page.results[0].chunk.embedding_model
                    if not self.models_seen or self.models_seen[-1] != model:
                        self.models_seen.append(model)
            self.count += 1
            await asyncio.sleep(0.02)


async def index_notes(vector: VectorParts, spaces: Spaces, count: int) -> None:
    """Ada, an editor of SPACE, indexes `count` short notes on the TOPICS in turn."""
    await spaces.add(SPACE, ADA, MemberRole.EDITOR)
    for number in range(count):
        text = f"# Note {number}\n\n{TOPICS[number % len(TOPICS)]}. Item {number} of the list."
        await vector.documents.index(ADA, revision(f"{SPACE}/documents/note-{number}", text))


def following(channel: grpc.aio.Channel, token: str, cache: Path) -> MlEmbedders:
    """ms_ml read as ms_vector reads it: models/embedder's production alias, with the bearer
    `token`, the artifacts kept under `cache`."""
    return MlEmbedders(
        channel, model="models/embedder", alias="production", tokens=FixedToken(token), cache=cache
    )


def rollout_in(
    directory: Path,
    sessions: async_sessionmaker[AsyncSession],
    live: LiveIndex,
    channel: grpc.aio.Channel,
    token: str,
    **options: Any,
) -> Rollout:
    """Rollouts of `live` as the service wires them, following ms_ml on `channel` (`following`):
    the dense indexes at `directory`/index.npz and beside it, the artifacts under
    `directory`/models; `options` are Rollout's."""
    indexes = DenseIndexes(
        shipped_model=DEFAULT_EMBEDDING_MODEL, index_path=directory / "index.npz"
    )
    embedders = following(channel, token, directory / "models")
    return Rollout(sessions, live, embedders, indexes.open, indexes.discard, **options)


async def recorded_models(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    async with sessions() as session:
        return set((await session.execute(select(chunks.c.embedding_model).distinct())).scalars())


async def until_recorded(sessions: async_sessionmaker[AsyncSession], models: set[str]) -> None:
    """Wait until the record holds chunks of exactly `models`."""
    async with asyncio.timeout(LIMIT_SECONDS):
        while True:
            if await recorded_models(sessions) == models:
                return
            await asyncio.sleep(0.05)


async def chunk_ids(sessions: async_sessionmaker[AsyncSession]) -> set[int]:
    async with sessions() as session:
        return set((await session.execute(select(chunks.c.id))).scalars())


async def models_found(vector: VectorParts) -> set[str]:
    page = await vector.search.search(ADA, SearchQuery("laptops", SearchMode.DENSE, page_size=50))
    return {found.chunk.embedding_model for found in page.results}


async def until(condition: Callable[[], bool]) -> None:
    """Wait until `condition` holds (polling: the index changes in other tasks)."""
    async with asyncio.timeout(LIMIT_SECONDS):
        while True:
            if condition():
                return
            await asyncio.sleep(0.05)


async def register_truncated(ml: MlParts, files: Path, *, dimensions: int) -> str:
    """A wordllama-tar of the shipped weights' first `dimensions` columns, as a new version."""
    shipped = Path(wordllama.__file__).parent
    weights, tokenizer = WORDLLAMA_FILES
    (files / weights).parent.mkdir(parents=True)
    (files / tokenizer).parent.mkdir(parents=True)
    tensors = load_file(str(shipped / weights))
    save_file(
        {name: value[:, :dimensions].copy() for name, value in tensors.items()},
        str(files / weights),
    )
    shutil.copy(shipped / tokenizer, files / tokenizer)
    data = wordllama_tar(files)
    sha256 = hashlib.sha256(data).hexdigest()

    await ml.artifacts.upload(chunked(data), size_bytes=len(data), sha256=sha256)
    version = await ml.registry.create_version(
        "models/embedder",
        VersionDraft(
            sha256=sha256,
            size_bytes=len(data),
            format="wordllama-tar",
            params={"config": "l2_supercat", "dimensions": str(dimensions)},
            tags={"source": "truncated"},
            description=f"WordLlama l2_supercat cut to {dimensions} dimensions",
        ),
        ADMIN,
    )
    return version.name


async def chunked(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 1 << 20):
        yield data[start : start + (1 << 20)]
