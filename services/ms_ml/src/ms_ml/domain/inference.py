"""What a served model answers: the port every artifact format's loader returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class PredictionInput:
    """One input of Predict; which fields a model reads depends on it."""

    text: str = ""
    text_pair: str = ""
    features: tuple[float, ...] = field(default=())


class Served(Protocol):
    """A loaded model version. `task` says which calls it answers: "embedding" models embed,
    others predict; the other call is FAILED_PRECONDITION."""

    @property
    def task(self) -> str: ...

    def predict(self, inputs: Sequence[PredictionInput]) -> list[float]:
        """One score per input."""
        ...

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One L2-normalised row per text."""
        ...
