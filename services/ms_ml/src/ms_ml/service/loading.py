"""Versions loaded for serving: read from the store with their SHA-256 checked, then kept in
memory (the most recently used few), so a request loads nothing a previous one loaded."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

from knowledge_kit.errors import DomainError

from ..domain.artifacts import ArtifactStore
from ..domain.inference import Served
from ..domain.models import ModelVersion
from .formats import Loader


class LoadedVersions:
    """Served models by version name, loaded at most once each at a time."""

    def __init__(
        self,
        store: ArtifactStore,
        formats: Mapping[str, Loader],
        scratch: Path,
        *,
        capacity: int,
    ) -> None:
        self._store = store
        self._formats = formats
        self._scratch = scratch
        self._capacity = capacity
        self._loaded: OrderedDict[str, tuple[str, Served]] = OrderedDict()
        self._loading: dict[str, asyncio.Lock] = {}

    def cached(self, name: str) -> Served | None:
        """The loaded model of a version, without touching the store."""
        entry = self._loaded.get(name)
        if entry is None:
            return None
        self._loaded.move_to_end(name)
        return entry[1]

    async def load(self, version: ModelVersion) -> Served:
        """The version's model; its artifact is verified (ArtifactCorrupt: FAILED_PRECONDITION)
        and read by its format's loader the first time."""
        entry = self._loaded.get(version.name)
        if entry is not None and entry[0] == version.sha256:
            self._loaded.move_to_end(version.name)
            return entry[1]
        lock = self._loading.setdefault(version.name, asyncio.Lock())
        async with lock:
            entry = self._loaded.get(version.name)
            if entry is not None and entry[0] == version.sha256:
                return entry[1]
            loader = self._formats.get(version.format)
            if loader is None:
                raise DomainError(
                    f"{version.name} has format {version.format}, which is not served"
                )
            path = await self._store.verified_file(version.sha256)
            scratch = self._scratch / version.sha256
            scratch.mkdir(parents=True, exist_ok=True)
            try:
                served = await asyncio.to_thread(loader, path, scratch, version.name)
            except DomainError:
                raise
            except Exception as error:
                raise DomainError(f"{version.name} could not be loaded: {error}") from error
            self._loaded[version.name] = (version.sha256, served)
            while len(self._loaded) > self._capacity:
                self._loaded.popitem(last=False)
        return served

    def forget(self, name: str) -> None:
        self._loaded.pop(name, None)
