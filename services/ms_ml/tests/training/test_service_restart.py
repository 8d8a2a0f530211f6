"""Restart safety of the service as it runs in production: `python -m ms_ml` killed with SIGKILL
while a job trains takes the job's process with it, and the next start fails the job, saying
why, instead of leaving it RUNNING."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import grpc
from knowledge.ml.v1 import (
    model_pb2,
    model_service_pb2,
    model_service_pb2_grpc,
    training_service_pb2_grpc,
)
from knowledge.ml.v1 import training_job_pb2 as pb
from knowledge.ml.v1 import training_service_pb2 as api

from ..grpc_api.test_service_process import free_port

STARTUP_LIMIT_SECONDS = 90


@asynccontextmanager
async def running_service(
    environment: dict[str, str], port: int
) -> AsyncIterator[tuple[asyncio.subprocess.Process, grpc.aio.Channel]]:
    service = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ms_ml", env=environment, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            await asyncio.wait_for(channel.channel_ready(), STARTUP_LIMIT_SECONDS)
            yield service, channel
    finally:
        if service.returncode is None:
            service.send_signal(signal.SIGTERM)
            await asyncio.wait_for(service.wait(), 60)


async def test_a_job_running_when_the_service_is_killed_is_failed_at_the_next_start(
    tmp_path: Path,
    service_settings: Any,
    kafka_bootstrap: str,
    mint_token: Callable[..., str],
) -> None:
    port = free_port()
    settings = {
        "GRPC_HOST": "127.0.0.1",
        "GRPC_PORT": str(port),
        "AUTH_JWKS_URL": service_settings.auth_jwks_url,
        "AUTH_ISSUER": service_settings.auth_issuer,
        "AUTH_AUDIENCE": service_settings.auth_audience,
        "LOG_JSON": "false",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'service.db'}",
        "KAFKA_BOOTSTRAP": kafka_bootstrap,
        "ARTIFACT_DIR": str(tmp_path / "artifacts"),
        "ARTIFACT_CACHE_DIR": str(tmp_path / "cache"),
        "TRAINING_WORK_DIR": str(tmp_path / "training"),
        "REGISTER_EMBEDDER": "false",
    }
    environment = {**os.environ, **{f"MS_ML_{key}": value for key, value in settings.items()}}
    admin = (("authorization", f"Bearer {mint_token('users/ada', roles=['admin'])}"),)

    async with running_service(environment, port) as (service, channel):
        models = model_service_pb2_grpc.ModelServiceStub(channel)
        await models.CreateModel(
            model_service_pb2.CreateModelRequest(
                model=model_pb2.Model(display_name="Reranker"), model_id="reranker"
            ),
            metadata=admin,
        )
        jobs = training_service_pb2_grpc.TrainingServiceStub(channel)
        created = await jobs.CreateTrainingJob(
            api.CreateTrainingJobRequest(
                parent="models/reranker",
                training_job=pb.TrainingJob(recipe="reranker", hyperparameters={"epochs": "5000"}),
            ),
            metadata=admin,
        )
        name = created.training_job.name
        async for message in jobs.StreamTrainingJobLogs(
            api.StreamTrainingJobLogsRequest(name=name), metadata=admin
        ):
            if message.entry.log_line.startswith(f"{name}: recipe reranker"):
                break  # the job's own process is running and reporting
        service.send_signal(signal.SIGKILL)
        await service.wait()

    async with running_service(environment, port) as (_, channel):
        jobs = training_service_pb2_grpc.TrainingServiceStub(channel)
        replayed = [
            message
            async for message in jobs.StreamTrainingJobLogs(
                api.StreamTrainingJobLogsRequest(name=name), metadata=admin
            )
        ]
        job = (
            await jobs.GetTrainingJob(api.GetTrainingJobRequest(name=name), metadata=admin)
        ).training_job
    assert job.state == pb.TRAINING_JOB_STATE_FAILED
    assert job.error_message.startswith("the service stopped while the job ran (process ")
    assert job.error_message.endswith(" is gone)")
    lines = [m.entry.log_line for m in replayed if m.WhichOneof("event") == "entry"]
    assert lines[-1].startswith("failed: the service stopped while it ran")
