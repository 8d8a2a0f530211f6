"""Predict and Embed: the request key picks a version among the deployment's shares, and the
loaded model answers. The deployment is read on every request, so a new revision (a rollback
included) takes effect for the next request on every instance."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from knowledge_kit.errors import NotFoundError
from numpy.typing import NDArray

from ..domain.deployments import slot_of, split_for
from ..domain.inference import PredictionInput, Served
from ..domain.names import DEPLOYMENT, invalid
from ..repository.serving import ServingReads
from .loading import LoadedVersions
from .work import Transactions

MAX_TEXT_CHARS = 100_000
MAX_REQUEST_KEY_CHARS = 1_000


@dataclass(frozen=True, slots=True)
class Routed:
    model_version: str
    revision: int
    served: Served


class Inference:
    """Serving the deployments."""

    def __init__(
        self, work: Transactions, reads: ServingReads, loaded: LoadedVersions, *, max_inputs: int
    ) -> None:
        self._work = work
        self._reads = reads
        self._loaded = loaded
        self._max_inputs = max_inputs

    async def route(self, deployment: str, request_key: str) -> Routed:
        """The version that answers this request key now, loaded."""
        DEPLOYMENT.check(deployment, "deployment")
        if len(request_key) > MAX_REQUEST_KEY_CHARS:
            raise invalid("request_key", f"must be at most {MAX_REQUEST_KEY_CHARS} characters")
        async with self._reads.connect() as connection:
            current = await self._reads.state(connection, deployment)
            if current is None:
                raise NotFoundError(f"{deployment} does not exist")
            split = split_for(current.traffic, slot_of(deployment, request_key))
            name = split.model_version
            if split.alias:
                holder = await self._reads.holder(connection, current.model, split.alias)
                if holder is None:
                    raise NotFoundError(f"{current.model}/aliases/{split.alias} does not exist")
                name = holder
        served = self._loaded.cached(name)
        if served is None:
            async with self._work() as work:
                version = await work.registry.get_version(name)
            if version is None:
                raise NotFoundError(f"{name} does not exist")
            served = await self._loaded.load(version)
        return Routed(name, current.revision, served)

    async def predict(
        self, deployment: str, request_key: str, inputs: Sequence[PredictionInput]
    ) -> tuple[list[float], Routed]:
        self._bounded(len(inputs), "inputs")
        for index, item in enumerate(inputs):
            if len(item.text) > MAX_TEXT_CHARS or len(item.text_pair) > MAX_TEXT_CHARS:
                raise invalid(
                    f"inputs[{index}]", f"texts must be at most {MAX_TEXT_CHARS} characters"
                )
            if len(item.features) > 10_000:
                raise invalid(f"inputs[{index}].features", "must hold at most 10000 numbers")
        routed = await self.route(deployment, request_key)
        scores = await asyncio.to_thread(routed.served.predict, inputs)
        return scores, routed

    async def embed(
        self, deployment: str, request_key: str, texts: Sequence[str]
    ) -> tuple[NDArray[np.float32], Routed]:
        self._bounded(len(texts), "texts")
        for index, text in enumerate(texts):
            if len(text) > MAX_TEXT_CHARS:
                raise invalid(f"texts[{index}]", f"must be at most {MAX_TEXT_CHARS} characters")
        routed = await self.route(deployment, request_key)
        vectors = await asyncio.to_thread(routed.served.embed, texts)
        return vectors, routed

    def _bounded(self, count: int, field: str) -> None:
        if not 1 <= count <= self._max_inputs:
            raise invalid(field, f"must hold 1 to {self._max_inputs} items (got {count})")
