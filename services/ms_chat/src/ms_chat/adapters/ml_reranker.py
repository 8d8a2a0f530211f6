"""Passages scored by a reranker deployment of ms_ml, through InferenceService.Predict.

One call scores one question's passages: each input is the question (`text`), the passage as its
title, heading path and text, one per line (`text_pair`, as the built-in `reranker` recipe reads
it), and its features [first-stage rank (1-based), start offset]. The asker's token goes with the
call (Predict needs a valid one); the request key is drawn from the question, so a canary sends
one question to one version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import grpc
from knowledge.ml.v1 import inference_service_pb2 as inference_api
from knowledge.ml.v1 import inference_service_pb2_grpc

from ..domain.answers import Passage
from ..domain.reranking import RerankingFailed, RerankOutcome

if TYPE_CHECKING:  # the async stub exists in the type stubs only
    from knowledge.ml.v1.inference_service_pb2_grpc import InferenceServiceAsyncStub

PREDICT_METHOD = "knowledge.ml.v1.InferenceService/Predict"
DEPENDENCY = "ms_ml"


class MlReranker:
    """The Reranker port on a channel to ms_ml, for one deployment
    (`models/{model}/deployments/{deployment}`)."""

    def __init__(
        self, channel: grpc.aio.Channel, deployment: str, *, timeout_seconds: float = 1.0
    ) -> None:
        self._stub: InferenceServiceAsyncStub = inference_service_pb2_grpc.InferenceServiceStub(
            channel
        )
        self._deployment = deployment
        self._timeout = timeout_seconds

    @property
    def deployment(self) -> str:
        return self._deployment

    async def scores(self, token: str, question: str, passages: Sequence[Passage]) -> list[float]:
        request = inference_api.PredictRequest(
            deployment=self._deployment,
            request_key=hashlib.sha256(question.encode()).hexdigest()[:32],
            inputs=[
                inference_api.PredictionInput(
                    text=question,
                    text_pair=reranker_text(passage),
                    features=[float(rank), float(passage.start)],
                )
                for rank, passage in enumerate(passages, start=1)
            ],
        )
        try:
            response = await self._stub.Predict(
                request,
                metadata=(("authorization", f"Bearer {token}"),),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as failure:
            raise RerankingFailed(_outcome(failure.code()), _said(failure)) from failure
        if len(response.predictions) != len(passages):
            raise RerankingFailed(
                RerankOutcome.REFUSED,
                f"{len(response.predictions)} scores for {len(passages)} passages",
            )
        return [prediction.score for prediction in response.predictions]


def reranker_text(passage: Passage) -> str:
    """The passage as the reranker reads it: title, heading path and text, one per line."""
    return "\n".join([passage.title, " > ".join(passage.headings), passage.text])


def _outcome(code: grpc.StatusCode) -> RerankOutcome:
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        return RerankOutcome.TIMED_OUT
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED):
        return RerankOutcome.UNAVAILABLE
    return RerankOutcome.REFUSED


def _said(failure: grpc.aio.AioRpcError) -> str:
    return f"{DEPENDENCY} {failure.code().name}: {failure.details() or ''}".strip()
