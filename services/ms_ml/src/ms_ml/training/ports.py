"""What training needs from the rest of the service: registering the version a job made."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class VersionRegistrar(Protocol):
    async def register_trained_version(
        self,
        *,
        model: str,
        artifact: Path,
        format: str,
        metrics: dict[str, float],
        params: dict[str, str],
        training_job: str,
        description: str,
        actor: str,
    ) -> str:
        """Stores the artifact (sha256 checked) and registers it as a new version of `model`;
        returns the version's name, models/{model}/versions/{n}."""
        ...
