"""Restart safety of the service as it runs in production: `python -m ms_ml` killed with SIGKILL
while a job trains takes the job's process with it, and the next start fails the job, saying
why, instead of leaving it RUNNING."""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
from knowledge.ml.v1 import (
    model_pb2,
    model_service_pb2,
    model_service_pb2_grpc,
    training_service_pb2_grpc,
)
from knowledge.ml.v1 import training_job_pb2 as pb
from knowledge.ml.v1 import training_service_pb2 as api
from knowledge_kit.testing.service_process import ServiceProcess

STARTUP_LIMIT_SECONDS = 90


async def test_a_job_running_when_the_service_is_killed_is_failed_at_the_next_start(
    start_service_process: Callable[..., Awaitable[ServiceProcess]],
    tmp_path: Path,
    sqlite_database_url: str,
    kafka_bootstrap: str,
    mint_token: Callable[..., str],
) -> None:
    settings = {
        "DATABASE_URL": sqlite_database_url,
        "KAFKA_BOOTSTRAP": kafka_bootstrap,
        "ARTIFACT_DIR": str(tmp_path / "artifacts"),
        "ARTIFACT_CACHE_DIR": str(tmp_path / "cache"),
        "TRAINING_WORK_DIR": str(tmp_path / "training"),
        "REGISTER_EMBEDDER": "false",
    }
    admin = (("authorization", f"Bearer {mint_token('users/ada', roles=['admin'])}"),)

    service = await start_service_process("ms_ml", settings)
    await service.serving(within_seconds=STARTUP_LIMIT_SECONDS)
    async with grpc.aio.insecure_channel(service.target) as channel:
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
        service.process.send_signal(signal.SIGKILL)
        await service.process.wait()

    restarted = await start_service_process("ms_ml", settings)
    await restarted.serving(within_seconds=STARTUP_LIMIT_SECONDS)
    async with grpc.aio.insecure_channel(restarted.target) as channel:
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
    await restarted.stop_on_sigterm(within_seconds=60)
    assert job.state == pb.TRAINING_JOB_STATE_FAILED
    assert job.error_message.startswith("the service stopped while the job ran (process ")
    assert job.error_message.endswith(" is gone)")
    lines = [m.entry.log_line for m in replayed if m.WhichOneof("event") == "entry"]
    assert lines[-1].startswith("failed: the service stopped while it ran")
