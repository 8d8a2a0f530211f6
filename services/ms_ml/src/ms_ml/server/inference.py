"""knowledge.ml.v1.InferenceService: Predict and Embed on the deployments."""

from __future__ import annotations

from typing import Any

import grpc
from knowledge.ml.v1 import inference_service_pb2, inference_service_pb2_grpc

from ..domain.inference import PredictionInput
from ..service.inference import Inference

Context = grpc.aio.ServicerContext[Any, Any]
pb = inference_service_pb2


class InferenceServicer(inference_service_pb2_grpc.InferenceServiceServicer):
    """Answers with the version the request key reaches; says which one answered."""

    def __init__(self, inference: Inference) -> None:
        self._inference = inference

    async def Predict(self, request: pb.PredictRequest, context: Context) -> pb.PredictResponse:
        inputs = [
            PredictionInput(item.text, item.text_pair, tuple(item.features))
            for item in request.inputs
        ]
        scores, routed = await self._inference.predict(
            request.deployment, request.request_key, inputs
        )
        return pb.PredictResponse(
            predictions=[pb.Prediction(score=score) for score in scores],
            model_version=routed.model_version,
            revision=routed.revision,
        )

    async def Embed(self, request: pb.EmbedRequest, context: Context) -> pb.EmbedResponse:
        vectors, routed = await self._inference.embed(
            request.deployment, request.request_key, list(request.texts)
        )
        return pb.EmbedResponse(
            embeddings=[pb.Embedding(values=row.tolist()) for row in vectors],
            dimensions=int(vectors.shape[1]) if vectors.ndim == 2 else 0,
            model_version=routed.model_version,
            revision=routed.revision,
        )
