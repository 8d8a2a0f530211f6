"""Models and training jobs in the web app: an administrator sees ms_ml's model on the models
page, queues a training job of its recipe with the page's form (a Server Action over grpc-js) and
watches the job's log arrive as it is written (StreamTrainingJobLogs over gRPC-web through the
edge) until the job succeeds, naming the version it produced, which ms_ml then holds."""

from __future__ import annotations

import re

import grpc
from knowledge.ml.v1 import (
    model_pb2,
    model_service_pb2_grpc,
    training_job_pb2,
    training_service_pb2_grpc,
)
from knowledge.ml.v1 import model_service_pb2 as model_rpc
from knowledge.ml.v1 import training_service_pb2 as training_rpc

from .browser_probes import CHROMIUM, probe_lines
from .edge_harness import PASSWORD, PLATFORM_ADMIN, PlatformUp, admin_token, bearer

PROBE_DEADLINE = 300.0
ADMIN = PLATFORM_ADMIN
EPOCHS = "3000"


def test_an_administrator_trains_a_model_and_watches_its_log_live(platform: PlatformUp) -> None:
    token = admin_token(platform)
    with grpc.insecure_channel(platform.edge_target) as channel:
        model_service_pb2_grpc.ModelServiceStub(channel).CreateModel(
            model_rpc.CreateModelRequest(
                model=model_pb2.Model(display_name="Answer reranker"), model_id="reranker"
            ),
            metadata=bearer(token),
        )
    request = {
        "chromium": CHROMIUM,
        "url": platform.edge_url,
        "email": ADMIN,
        "password": PASSWORD,
        "model": "models/reranker",
        "epochs": EPOCHS,
        "deadlineSeconds": PROBE_DEADLINE / 2,
    }
    listed, states, log, produced, problems = probe_lines(
        "web_app_training.mjs", request, timeout=PROBE_DEADLINE
    )
    assert listed == 'listed "Answer reranker"'
    assert re.fullmatch(r"job (queued|running) then succeeded without a reload", states), states
    assert log == "log grew yes; metric lines yes"
    match = re.fullmatch(
        r"job (reranker/jobs/\S+) produced (models/reranker/versions/\d+)", produced
    )
    assert match, produced
    assert problems == "problems: []"

    job_name = "models/" + match[1].replace("/jobs/", "/trainingJobs/")
    with grpc.insecure_channel(platform.edge_target) as channel:
        job = (
            training_service_pb2_grpc.TrainingServiceStub(channel)
            .GetTrainingJob(
                training_rpc.GetTrainingJobRequest(name=job_name), metadata=bearer(token)
            )
            .training_job
        )
        version = (
            model_service_pb2_grpc.ModelServiceStub(channel)
            .GetModelVersion(
                model_rpc.GetModelVersionRequest(name=match[2]), metadata=bearer(token)
            )
            .model_version
        )
    assert job.state == training_job_pb2.TRAINING_JOB_STATE_SUCCEEDED
    assert job.hyperparameters["epochs"] == EPOCHS
    assert (job.model_version, version.training_job) == (match[2], job_name)
