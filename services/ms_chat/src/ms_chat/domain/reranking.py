"""Reranking the retrieved passages: a second stage that reorders the first stage's candidates
by a model's scores before the answerer reads them. It may fail; the answer never does."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Protocol

from .answers import Passage


class RerankOutcome(Enum):
    """How one question's reranking went (the metric's label)."""

    RERANKED = "reranked"
    TIMED_OUT = "timed_out"  # past its deadline
    UNAVAILABLE = "unavailable"  # the model's service down or overloaded
    REFUSED = "refused"  # any other error, or an answer that does not fit the passages


class RerankingFailed(Exception):
    """The reranker gave no usable scores; the first stage's order stands."""

    def __init__(self, outcome: RerankOutcome, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


class Reranker(Protocol):
    @property
    def deployment(self) -> str:
        """What serves the scores (named in logs)."""
        ...

    async def scores(self, token: str, question: str, passages: Sequence[Passage]) -> list[float]:
        """One score per passage, in their order, higher more relevant to `question`. Raises
        RerankingFailed."""
        ...


def reordered(passages: Sequence[Passage], scores: Sequence[float], limit: int) -> list[Passage]:
    """The first `limit` passages by score, best first; equal scores keep the first stage's order."""
    order = sorted(range(len(passages)), key=lambda index: -scores[index])
    return [passages[index] for index in order[:limit]]
