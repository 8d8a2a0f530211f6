"""TrainingService over gRPC: bad input is INVALID_ARGUMENT naming the field, and
StreamTrainingJobLogs follows a running job live, then replays it once it has ended."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest
from knowledge.ml.v1 import training_job_pb2 as pb
from knowledge.ml.v1 import training_service_pb2 as api
from knowledge.ml.v1 import training_service_pb2_grpc
from knowledge_kit.errors import field_violations_of

from ms_ml.training.parts import Training

from .conftest import MODEL

Metadata = tuple[tuple[str, str], ...]


@pytest.fixture
async def stub(training: Training, start_grpc_server: Callable[..., Any]) -> Any:
    running = await start_grpc_server(training.registration)
    channel = grpc.aio.insecure_channel(running.target)
    yield training_service_pb2_grpc.TrainingServiceStub(channel)
    await channel.close()


@pytest.fixture
def alice(mint_token: Callable[..., str]) -> Metadata:
    return (("authorization", f"Bearer {mint_token('users/alice')}"),)


def _job(**changes: Any) -> pb.TrainingJob:
    job = pb.TrainingJob(recipe="reranker", hyperparameters={"epochs": "50"})
    for key, value in changes.items():
        if key == "hyperparameters":
            job.hyperparameters.clear()
            job.hyperparameters.update(value)
        elif key == "limits":
            job.limits.CopyFrom(value)
        else:
            setattr(job, key, value)
    return job


@pytest.mark.parametrize(
    ("parent", "job", "field", "message"),
    [
        (MODEL, _job(recipe=""), "training_job.recipe", "is required"),
        (MODEL, _job(recipe="gpt"), "training_job.recipe", "'gpt' is not a recipe"),
        (
            MODEL,
            _job(hyperparameters={"epochs": "ten"}),
            'training_job.hyperparameters["epochs"]',
            "must be a whole number",
        ),
        (
            MODEL,
            _job(hyperparameters={"epoch": "10"}),
            'training_job.hyperparameters["epoch"]',
            "is not a parameter of this recipe",
        ),
        (
            MODEL,
            _job(limits=pb.TrainingJobLimits(timeout_seconds=100_000)),
            "training_job.limits.timeout_seconds",
            "must be from 1 to 3600",
        ),
        (
            MODEL,
            _job(limits=pb.TrainingJobLimits(memory_bytes=1024)),
            "training_job.limits.memory_bytes",
            "must be from",
        ),
        (MODEL, _job(dataset_uri="s3://bucket/x"), "training_job.dataset_uri", "file://"),
        (MODEL, _job(dataset_uri="/no/such/dir"), "training_job.dataset_uri", "not a directory"),
        (MODEL, _job(dataset_uri="/" + "a" * 300), "training_job.dataset_uri", "not a directory"),
        ("models/Bad Name", _job(), "parent", ""),
    ],
)
async def test_bad_input_is_invalid_argument_naming_the_field(
    stub: Any, alice: Metadata, parent: str, job: pb.TrainingJob, field: str, message: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CreateTrainingJob(
            api.CreateTrainingJobRequest(parent=parent, training_job=job), metadata=alice
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = field_violations_of(refused.value)
    assert [v.field for v in violations] == [field]
    assert message in violations[0].description
    listed = await stub.ListTrainingJobs(
        api.ListTrainingJobsRequest(parent="models/-"), metadata=alice
    )
    assert not listed.training_jobs  # nothing half-created


async def test_an_unknown_model_or_job_is_not_found(stub: Any, alice: Metadata) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CreateTrainingJob(
            api.CreateTrainingJobRequest(parent="models/nope", training_job=_job()), metadata=alice
        )
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.GetTrainingJob(
            api.GetTrainingJobRequest(name=f"{MODEL}/trainingJobs/nope"), metadata=alice
        )
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND


async def test_the_log_streams_live_while_the_job_runs_then_replays(
    stub: Any, alice: Metadata
) -> None:
    created = await stub.CreateTrainingJob(
        api.CreateTrainingJobRequest(parent=MODEL, training_job=_job(), training_job_id="live"),
        metadata=alice,
    )
    name = created.training_job.name
    live: list[api.StreamTrainingJobLogsResponse] = []
    running_seen_with_entries_to_come = False
    async for message in stub.StreamTrainingJobLogs(
        api.StreamTrainingJobLogsRequest(name=name), metadata=alice
    ):
        live.append(message)
        if message.WhichOneof("event") == "entry":
            job = (
                await stub.GetTrainingJob(api.GetTrainingJobRequest(name=name), metadata=alice)
            ).training_job
            if job.state == pb.TRAINING_JOB_STATE_RUNNING:
                running_seen_with_entries_to_come = True
    assert running_seen_with_entries_to_come  # entries arrived while the job still ran
    states = [m.training_job.state for m in live if m.WhichOneof("event") == "training_job"]
    assert states[-1] == pb.TRAINING_JOB_STATE_SUCCEEDED
    assert pb.TRAINING_JOB_STATE_RUNNING in states
    entries = [m.entry for m in live if m.WhichOneof("event") == "entry"]
    assert any(
        e.WhichOneof("entry") == "metric_point" and e.metric_point.metric == "loss" for e in entries
    )

    replay = [
        m.entry
        async for m in stub.StreamTrainingJobLogs(
            api.StreamTrainingJobLogsRequest(name=name, after_sequence=3), metadata=alice
        )
        if m.WhichOneof("event") == "entry"
    ]
    assert replay == entries[3:]

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CancelTrainingJob(api.CancelTrainingJobRequest(name=name), metadata=alice)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    listed = await stub.ListTrainingJobs(
        api.ListTrainingJobsRequest(parent=MODEL, state=pb.TRAINING_JOB_STATE_SUCCEEDED),
        metadata=alice,
    )
    assert [job.name for job in listed.training_jobs] == [name]
