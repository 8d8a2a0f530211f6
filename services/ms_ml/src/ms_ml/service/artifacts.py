"""Uploading artifacts into the store and reading them back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from knowledge_kit.api import Clock, utc_now
from knowledge_kit.errors import NotFoundError

from ..domain.artifacts import CHUNK_BYTES, ArtifactStore, StoredArtifact
from ..domain.names import ARTIFACT, MODEL_VERSION, invalid
from .work import Transactions


@dataclass(frozen=True, slots=True)
class ArtifactInfo:
    sha256: str
    size_bytes: int
    create_time: datetime

    @property
    def name(self) -> str:
        return f"artifacts/{self.sha256}"


class Artifacts:
    """The store behind ArtifactService, and the record of what it holds."""

    def __init__(self, work: Transactions, store: ArtifactStore, clock: Clock = utc_now) -> None:
        self._work = work
        self.store = store
        self._clock = clock

    async def upload(
        self, chunks: AsyncIterator[bytes], *, size_bytes: int, sha256: str
    ) -> ArtifactInfo:
        """Streams the bytes into the store (refused whole, and nothing kept, past the limit
        or when they are not the declared ones), then records the artifact."""
        stored = await self.store.put(chunks, size_bytes=size_bytes, sha256=sha256)
        return await self._recorded(stored)

    async def upload_file(self, path: Path, sha256: str) -> ArtifactInfo:
        """A local file (a training job's output, the shipped embedder) into the store."""
        size = (await asyncio.to_thread(path.stat)).st_size
        return await self.upload(_chunks(path), size_bytes=size, sha256=sha256)

    async def _recorded(self, stored: StoredArtifact) -> ArtifactInfo:
        async with self._work() as work:
            await work.registry.add_artifact(stored.sha256, stored.size_bytes, self._clock())
            known = await work.registry.get_artifact(stored.sha256)
            await work.commit()
        assert known is not None
        return ArtifactInfo(stored.sha256, known[0], known[1])

    async def get(self, name: str, field: str = "name") -> ArtifactInfo:
        sha256 = ARTIFACT.parse(name, field)["digest"]
        async with self._work() as work:
            known = await work.registry.get_artifact(sha256)
        if known is None:
            raise NotFoundError(f"{name} does not exist")
        return ArtifactInfo(sha256, known[0], known[1])

    async def resolve(self, name: str) -> ArtifactInfo:
        """artifacts/{sha256}, or a version's artifact by the version's name."""
        if MODEL_VERSION.matches(name):
            async with self._work() as work:
                version = await work.registry.get_version(name)
            if version is None:
                raise NotFoundError(f"{name} does not exist")
            return await self.get(version.artifact)
        return await self.get(name)

    async def download(self, info: ArtifactInfo, offset: int) -> AsyncIterator[bytes]:
        """The artifact's bytes from `offset` (none past its end), checked against its SHA-256
        before the first."""
        if offset < 0:
            raise invalid("read_offset", "must not be negative")
        path = await self.store.verified_file(info.sha256)
        if offset >= info.size_bytes:
            return
        with path.open("rb") as file:
            file.seek(offset)
            while chunk := file.read(CHUNK_BYTES):
                yield chunk


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
