"""The web app's main pages have no serious accessibility faults: axe-core (WCAG 2.1 A and AA
rules) runs in headless Chromium on each page as a person reaches it, signed out and signed in
(an open canvas with a note included, and the model registry's pages: the models, the shipped
embedder's model page with its aliases, history and deployment, a cancelled training job's), and
finds no serious or critical violation."""

from __future__ import annotations

import json
import uuid

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
from .edge_harness import PASSWORD, PlatformUp, admin_token, bearer, unique_email

PROBE_DEADLINE = 240.0
PAGES = [
    "sign-in",
    "sign-up",
    "spaces",
    "space",
    "document",
    "activity",
    "canvases",
    "canvas",
    "bell",
    "models",
    "model",
    "job",
]
EMBEDDER = "models/embedder"
"""Registered by ms_ml at its first start, with a version holding `production` and a deployment."""


def cancelled_job(platform: PlatformUp) -> str:
    """A training job an administrator queued on a new model and cancelled: its page's path."""
    token = admin_token(platform)
    with grpc.insecure_channel(platform.edge_target) as channel:
        model = (
            model_service_pb2_grpc.ModelServiceStub(channel)
            .CreateModel(
                model_rpc.CreateModelRequest(
                    model=model_pb2.Model(display_name="Accessible ranker"),
                    model_id=f"accessible-{uuid.uuid4().hex[:8]}",
                ),
                metadata=bearer(token),
            )
            .model
        )
        jobs = training_service_pb2_grpc.TrainingServiceStub(channel)
        job = jobs.CreateTrainingJob(
            training_rpc.CreateTrainingJobRequest(
                parent=model.name, training_job=training_job_pb2.TrainingJob(recipe="reranker")
            ),
            metadata=bearer(token),
        ).training_job
        jobs.CancelTrainingJob(
            training_rpc.CancelTrainingJobRequest(name=job.name), metadata=bearer(token)
        )
    return job.name.replace("/trainingJobs/", "/jobs/")


def test_the_main_pages_have_no_serious_accessibility_violations(platform: PlatformUp) -> None:
    request = {
        "chromium": CHROMIUM,
        "url": platform.edge_url,
        "email": unique_email(),
        "password": PASSWORD,
        "model": EMBEDDER,
        "job": cancelled_job(platform),
        "deadlineSeconds": PROBE_DEADLINE / 4,
    }
    *pages, problems = probe_lines("web_app_accessibility.mjs", request, timeout=PROBE_DEADLINE)
    found = {line.split(" ", 1)[0]: json.loads(line.split(" ", 1)[1]) for line in pages}
    assert list(found) == PAGES
    assert {page: faults for page, faults in found.items() if faults} == {}
    assert problems == "problems: []"
