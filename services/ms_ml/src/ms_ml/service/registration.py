"""Registering a version from a local file: what a finished training job calls."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from ..adapters.local_artifacts import file_sha256
from ..domain.models import VersionDraft
from .artifacts import Artifacts
from .registry import Registry


class VersionRegistration:
    """Streams a file into the artifact store, then registers it as the model's next version."""

    def __init__(self, artifacts: Artifacts, registry: Registry) -> None:
        self._artifacts = artifacts
        self._registry = registry

    async def register_trained_version(
        self,
        *,
        model: str,
        artifact: Path,
        format: str,
        metrics: Mapping[str, float],
        params: Mapping[str, str],
        training_job: str,
        description: str,
        actor: str,
    ) -> str:
        """The new version's name (models/{model}/versions/{n}); the artifact's SHA-256 is
        computed here and checked by the store as the bytes go in."""
        sha256 = await asyncio.to_thread(file_sha256, artifact)
        stored = await self._artifacts.upload_file(artifact, sha256)
        version = await self._registry.create_version(
            model,
            VersionDraft(
                sha256=stored.sha256,
                size_bytes=stored.size_bytes,
                format=format,
                metrics=dict(metrics),
                params=dict(params),
                training_job=training_job,
                description=description,
            ),
            actor,
        )
        return version.name
