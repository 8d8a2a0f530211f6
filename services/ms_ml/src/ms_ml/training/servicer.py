"""knowledge.ml.v1.TrainingService over the training use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from knowledge.ml.v1 import training_service_pb2 as api
from knowledge.ml.v1 import training_service_pb2_grpc
from knowledge_kit.api import caller_name

from ..server.messages import page_response
from .messages import job_message, stream_message
from .use_cases import JobRequest, TrainingUseCases

Context = grpc.aio.ServicerContext[Any, Any]


class TrainingServicer(training_service_pb2_grpc.TrainingServiceServicer):
    def __init__(self, use_cases: TrainingUseCases) -> None:
        self._use_cases = use_cases

    async def CreateTrainingJob(
        self, request: api.CreateTrainingJobRequest, context: Context
    ) -> api.CreateTrainingJobResponse:
        wanted = request.training_job
        job = await self._use_cases.create(
            request.parent,
            JobRequest(
                recipe=wanted.recipe,
                dataset_uri=wanted.dataset_uri,
                hyperparameters=dict(wanted.hyperparameters),
                timeout_seconds=wanted.limits.timeout_seconds,
                memory_bytes=wanted.limits.memory_bytes,
            ),
            request.training_job_id,
            caller_name(),
        )
        return api.CreateTrainingJobResponse(training_job=job_message(job))

    async def GetTrainingJob(
        self, request: api.GetTrainingJobRequest, context: Context
    ) -> api.GetTrainingJobResponse:
        caller_name()
        job = await self._use_cases.get(request.name)
        return api.GetTrainingJobResponse(training_job=job_message(job))

    async def ListTrainingJobs(
        self, request: api.ListTrainingJobsRequest, context: Context
    ) -> api.ListTrainingJobsResponse:
        caller_name()
        page = await self._use_cases.list(
            request.parent, int(request.state), request.page_size, request.page_token
        )
        return page_response(api.ListTrainingJobsResponse, "training_jobs", page, job_message)

    async def CancelTrainingJob(
        self, request: api.CancelTrainingJobRequest, context: Context
    ) -> api.CancelTrainingJobResponse:
        caller_name()
        job = await self._use_cases.cancel(request.name)
        return api.CancelTrainingJobResponse(training_job=job_message(job))

    async def StreamTrainingJobLogs(
        self, request: api.StreamTrainingJobLogsRequest, context: Context
    ) -> AsyncIterator[api.StreamTrainingJobLogsResponse]:
        caller_name()
        async for item in self._use_cases.follow(request.name, request.after_sequence):
            yield stream_message(item)
