"""Models, artifacts and versions the tests register."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Mapping

from ms_ml.domain.models import ModelVersion, VersionDraft
from ms_ml.main import MlParts
from ms_ml.service.registry import ModelFields

ADMIN = "users/ada"


async def chunks_of(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def linear(weights: list[float], bias: float = 0.0) -> bytes:
    """A linear-json artifact."""
    return json.dumps({"weights": weights, "bias": bias}).encode()


async def model(ml: MlParts, model_id: str, **fields: object) -> str:
    created = await ml.registry.create_model(model_id, ModelFields(**fields), ADMIN)  # type: ignore[arg-type]
    return created.name


async def version(
    ml: MlParts,
    parent: str,
    data: bytes,
    *,
    metrics: Mapping[str, float] | None = None,
    tags: Mapping[str, str] | None = None,
    format: str = "linear-json",
) -> ModelVersion:
    """Uploads `data` and registers it as the next version of `parent`."""
    sha256 = hashlib.sha256(data).hexdigest()
    await ml.artifacts.upload(chunks_of(data), size_bytes=len(data), sha256=sha256)
    return await ml.registry.create_version(
        parent,
        VersionDraft(
            sha256=sha256,
            size_bytes=len(data),
            format=format,
            metrics=metrics or {},
            tags=tags or {},
        ),
        ADMIN,
    )
