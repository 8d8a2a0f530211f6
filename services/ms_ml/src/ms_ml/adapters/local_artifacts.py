"""Artifacts as files on one machine: `<root>/sha256/<2 hex>/<sha256>`, written to a temporary
file first and renamed into place only once their size and SHA-256 are the declared ones."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from ..domain.artifacts import (
    CHUNK_BYTES,
    ArtifactCorrupt,
    ArtifactMissing,
    StoredArtifact,
)
from .intake import Intake


class LocalArtifactStore:
    """Content-addressed files under `root`, at most `max_bytes` each."""

    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self._root = root
        self._max_bytes = max_bytes
        (root / "incoming").mkdir(parents=True, exist_ok=True)

    async def open(self) -> None:
        return None

    def path_of(self, sha256: str) -> Path:
        return self._root / "sha256" / sha256[:2] / sha256

    async def put(
        self, chunks: AsyncIterator[bytes], *, size_bytes: int, sha256: str
    ) -> StoredArtifact:
        intake = Intake(size_bytes, sha256, limit=self._max_bytes)
        incoming = self._root / "incoming" / uuid.uuid4().hex
        try:
            with incoming.open("wb") as file:
                async for chunk in chunks:
                    await asyncio.to_thread(file.write, intake.take(chunk))
                intake.finish()
                await asyncio.to_thread(_flush, file)
            target = self.path_of(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(incoming, target)
        finally:
            incoming.unlink(missing_ok=True)
        return StoredArtifact(sha256, size_bytes)

    async def size_of(self, sha256: str) -> int | None:
        path = self.path_of(sha256)
        return path.stat().st_size if path.is_file() else None

    async def read(self, sha256: str, *, offset: int = 0) -> AsyncIterator[bytes]:
        path = self.path_of(sha256)
        if not path.is_file():
            raise ArtifactMissing(sha256)
        with path.open("rb") as file:
            file.seek(offset)
            while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
                yield chunk

    async def verified_file(self, sha256: str) -> Path:
        path = self.path_of(sha256)
        if not path.is_file():
            raise ArtifactMissing(sha256)
        actual = await asyncio.to_thread(file_sha256, path)
        if actual != sha256:
            raise ArtifactCorrupt(sha256, actual)
        return path

    async def close(self) -> None:
        return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _flush(file: BinaryIO) -> None:
    file.flush()
    os.fsync(file.fileno())
