"""The embedder ms_vector uses, registered at start: WordLlama's weights from its wheel as a
version of the `embedder` model, holding the serving alias, behind the `default` deployment, so
Embed serves it from the first start. Each step is skipped when already done."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path

from knowledge_kit.errors import AlreadyExistsError, NotFoundError

from ..domain.artifacts import CHUNK_BYTES
from ..domain.deployments import TrafficSplit
from ..domain.models import VersionDraft
from .artifacts import Artifacts
from .deployments import Deployments
from .formats import sha256_of, wordllama_tar
from .promotions import Promotions
from .registry import ModelFields, Registry

SERVICE_ACTOR = "serviceAccounts/ms-ml"
DEPLOYMENT_ID = "default"


async def register_embedder(
    *,
    model_id: str,
    alias: str,
    registry: Registry,
    promotions: Promotions,
    deployments: Deployments,
    artifacts: Artifacts,
) -> str:
    """The version of the shipped weights (registered now or before)."""
    data = await asyncio.to_thread(wordllama_tar, _wordllama_files())
    sha256 = sha256_of(data)
    model = f"models/{model_id}"
    with contextlib.suppress(AlreadyExistsError):
        await registry.create_model(
            model_id,
            ModelFields(
                display_name="Embedder",
                description="Turns passages and questions into vectors for ms_vector's search.",
                task="embedding",
            ),
            SERVICE_ACTOR,
        )
    version = await _shipped_version(registry, model, sha256)
    if version is None or await artifacts.store.size_of(sha256) is None:
        # Registered before on a store that has lost it (a fresh local disk): put it back.
        await artifacts.upload(_chunks(data), size_bytes=len(data), sha256=sha256)
    if version is None:
        # Once, however many instances start at once on an empty database.
        registered = await registry.create_version_once(
            model,
            VersionDraft(
                sha256=sha256,
                size_bytes=len(data),
                format="wordllama-tar",
                params={"config": "l2_supercat", "dimensions": "256"},
                tags={"source": "wordllama-wheel"},
                description="WordLlama l2_supercat, 256 dimensions: the weights its wheel ships",
            ),
            SERVICE_ACTOR,
        )
        version = registered.name
    try:
        await promotions.get_alias(f"{model}/aliases/{alias}")
    except NotFoundError:
        await promotions.set_alias(
            f"{model}/aliases/{alias}", version, "the embedder the platform ships", SERVICE_ACTOR
        )
    try:
        await deployments.get(f"{model}/deployments/{DEPLOYMENT_ID}")
    except NotFoundError:
        with contextlib.suppress(AlreadyExistsError):
            await deployments.create(
                model, DEPLOYMENT_ID, (TrafficSplit("", alias, 100),), "", 1, SERVICE_ACTOR
            )
    return version


async def _shipped_version(registry: Registry, model: str, sha256: str) -> str | None:
    token = ""
    while True:
        page = await registry.list_versions(model, 0, 200, token)
        for version in page.items:
            if version.sha256 == sha256:
                return version.name
        if not page.next_page_token:
            return None
        token = page.next_page_token


def _wordllama_files() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise RuntimeError("wordllama is not installed: the embedder ships in its wheel")
    return Path(spec.origin).parent


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK_BYTES):
        yield data[start : start + CHUNK_BYTES]
