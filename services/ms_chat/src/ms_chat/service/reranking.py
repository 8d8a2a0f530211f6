"""A Retriever whose passages are reranked: the first stage retrieves more candidates than the
answer needs, a reranker scores them, the best `limit` go to the answerer. When the reranker is
down, slow or refuses, the first stage's order answers: logged as `reranking_skipped` and
counted in `chat_reranking_total{outcome}`, never a failed answer."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import structlog
from prometheus_client import REGISTRY, CollectorRegistry, Counter

from ..domain.answers import Passage
from ..domain.ports import Retriever
from ..domain.reranking import Reranker, RerankingFailed, RerankOutcome, reordered

_log = structlog.get_logger("ms_chat.reranking")


@cache
def reranking_counter(registry: CollectorRegistry = REGISTRY) -> Counter:
    """`chat_reranking_total{outcome}`: questions reranked, or answered unreranked and why."""
    return Counter(
        "chat_reranking_total",
        "Questions whose passages were reranked, or answered in the first stage's order and why.",
        ["outcome"],
        registry=registry,
    )


class RerankedRetriever:
    """The Retriever port: `first_stage`'s passages reordered by `reranker`."""

    def __init__(
        self,
        first_stage: Retriever,
        reranker: Reranker,
        *,
        candidates: int = 20,
        counter: Counter | None = None,
    ) -> None:
        self._first_stage = first_stage
        self._reranker = reranker
        self._candidates = candidates
        self._counter = counter if counter is not None else reranking_counter()

    async def retrieve(
        self, token: str, question: str, spaces: Sequence[str], limit: int
    ) -> list[Passage]:
        found = await self._first_stage.retrieve(
            token, question, spaces, max(limit, self._candidates)
        )
        if len(found) < 2 or limit == 0:
            return found[:limit]
        try:
            scores = await self._reranker.scores(token, question, found)
        except RerankingFailed as failure:
            return self._skipped(found, limit, failure.outcome, failure.reason)
        except Exception as failure:  # a fault of the reranker's client: still an answer
            return self._skipped(found, limit, RerankOutcome.REFUSED, repr(failure))
        self._counter.labels(RerankOutcome.RERANKED.value).inc()
        return reordered(found, scores, limit)

    def _skipped(
        self, found: list[Passage], limit: int, outcome: RerankOutcome, reason: str
    ) -> list[Passage]:
        self._counter.labels(outcome.value).inc()
        _log.warning(
            "reranking_skipped",
            deployment=self._reranker.deployment,
            outcome=outcome.value,
            reason=reason,
        )
        return found[:limit]
