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
from contextlib import suppress
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
        with suppress(NotCached):
            return await cached_embedder(self._cache, version, sha256)
        response = await self._models.GetModelVersion(
            model_service_pb2.GetModelVersionRequest(name=version),
            metadata=await self._metadata(),
        )
        found = response.model_version
        if found.format != FORMAT:
            raise UnusableModel(f"{version} is a {found.format!r} artifact, not {FORMAT}")
        sha256 = found.sha256
        path = self._cache / f"{sha256}.tar"
        if await asyncio.to_thread(_unlike, path, sha256):
            await self._download(version, sha256, path)
        return await _loaded(version, sha256, self._cache)

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


class NotCached(LookupError):
    """No verified local copy of a version's artifact: what is missing or wrong, said."""


async def cached_embedder(cache: Path, version: str, sha256: str) -> LoadedEmbedder:
    """The embedder of `version` from its artifact under `cache`, checked against `sha256`
    (ms_ml is not asked); NotCached when there is no copy or it has other bytes."""
    if not sha256:
        raise NotCached(f"the SHA-256 of {version}'s artifact is not recorded")
    problem = await asyncio.to_thread(_unlike, cache / f"{sha256}.tar", sha256)
    if problem:
        raise NotCached(problem)
    return await _loaded(version, sha256, cache)


async def _loaded(version: str, sha256: str, cache: Path) -> LoadedEmbedder:
    """The embedder of the verified artifact `cache/{sha256}.tar`, unpacked beside it."""
    files = await asyncio.to_thread(unpack, cache / f"{sha256}.tar", cache / sha256)
    embedder = await asyncio.to_thread(ArtifactEmbedder, version, files)
    return LoadedEmbedder(embedder, sha256, await asyncio.to_thread(fingerprint, files))


def _unlike(path: Path, sha256: str) -> str:
    """What keeps `path` from being exactly the bytes of `sha256`; "" when nothing does."""
    if not path.is_file():
        return f"{path} is missing"
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    found = digest.hexdigest()
    if found != sha256:
        return f"{path} does not match its SHA-256 (its bytes hash to {found})"
    return ""
