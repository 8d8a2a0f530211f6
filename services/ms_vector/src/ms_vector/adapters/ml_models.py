"""ms_ml, as the source of the embedder: which version holds the alias ms_vector follows, and
that version's artifact, downloaded once, checked against its SHA-256, and loaded here.

Searches embed every query, so the model is loaded in this process rather than called through
ms_ml's Embed: a search costs no extra hop and keeps answering while ms_ml is away, and a
generation embeds with exactly the version it was built with (Embed answers for a deployment,
whichever version it routes to at that moment).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import grpc
from knowledge.ml.v1 import artifact_service_pb2, model_service_pb2
from knowledge.ml.v1.artifact_service_pb2_grpc import ArtifactServiceStub
from knowledge.ml.v1.model_service_pb2_grpc import ModelServiceStub

from ..domain.ports import LoadedEmbedder
from .artifact_embedder import FORMAT, ArtifactEmbedder, UnusableModel, fingerprint, unpack
from .service_tokens import TokenSource

DOWNLOAD_SECONDS = 300.0


class MlEmbedders:
    """Reads ms_ml with the tokens of `tokens` (ms_vector's service account), keeping artifacts
    under `cache`, one file per SHA-256."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        *,
        model: str,
        alias: str,
        tokens: TokenSource,
        cache: Path,
    ) -> None:
        self._models = ModelServiceStub(channel)
        self._artifacts = ArtifactServiceStub(channel)
        self._alias = f"{model}/aliases/{alias}"
        self._tokens = tokens
        self._cache = cache

    async def _metadata(self) -> tuple[tuple[str, str], ...]:
        token = await self._tokens.token()
        return (("authorization", f"Bearer {token}"),) if token else ()

    async def holder(self) -> str:
        """The version holding the followed alias now."""
        response = await self._models.GetModelVersion(
            model_service_pb2.GetModelVersionRequest(name=self._alias),
            metadata=await self._metadata(),
        )
        return str(response.model_version.name)

    async def load(self, version: str, sha256: str = "") -> LoadedEmbedder:
        """The embedder of `version`. With `sha256` known and its file in the cache (checked
        again), ms_ml is not asked."""
        path = self._cache / f"{sha256}.tar"
        if not sha256 or not await asyncio.to_thread(_holds, path, sha256):
            response = await self._models.GetModelVersion(
                model_service_pb2.GetModelVersionRequest(name=version),
                metadata=await self._metadata(),
            )
            found = response.model_version
            if found.format != FORMAT:
                raise UnusableModel(f"{version} is a {found.format!r} artifact, not {FORMAT}")
            sha256 = found.sha256
            path = self._cache / f"{sha256}.tar"
            if not await asyncio.to_thread(_holds, path, sha256):
                await self._download(version, sha256, path)
        files = await asyncio.to_thread(unpack, path, self._cache / sha256)
        embedder = await asyncio.to_thread(ArtifactEmbedder, version, files)
        return LoadedEmbedder(embedder, sha256, await asyncio.to_thread(fingerprint, files))

    async def _download(self, version: str, sha256: str, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        digest = hashlib.sha256()
        try:
            with partial.open("wb") as out:
                stream = self._artifacts.DownloadArtifact(
                    artifact_service_pb2.DownloadArtifactRequest(name=version),
                    metadata=await self._metadata(),
                    timeout=DOWNLOAD_SECONDS,
                )
                async for message in stream:
                    digest.update(message.chunk)
                    out.write(message.chunk)
            if digest.hexdigest() != sha256:
                raise UnusableModel(
                    f"the artifact of {version} does not match its SHA-256 {sha256}"
                )
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)


def _holds(path: Path, sha256: str) -> bool:
    """Whether `path` exists with exactly the bytes of `sha256`."""
    if not path.is_file():
        return False
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == sha256
