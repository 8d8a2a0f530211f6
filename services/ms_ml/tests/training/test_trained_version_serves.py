"""What a job trains is what the platform serves: the registered version, deployed, reranks a
query's passages through Predict, the passage that answers first."""

from __future__ import annotations

from ms_ml.domain.inference import PredictionInput
from ms_ml.main import MlParts
from ms_ml.training.jobs import JobState
from ms_ml.training.parts import Training

from .conftest import MODEL, OWNER
from .helpers import follow, reranker_job


async def test_the_trained_version_deployed_puts_the_answering_passage_first(
    training: Training, ml: MlParts
) -> None:
    job = await training.use_cases.create(MODEL, reranker_job(), "", OWNER)
    _, states = await follow(training.use_cases, job.name)
    assert states[-1].state == JobState.SUCCEEDED, states[-1].error_message
    deployment = await ml.deployments.create(MODEL, "chat", (), states[-1].model_version, 1, OWNER)

    question = "How do I stop the whole platform that make up started?"
    inputs = [
        PredictionInput(
            text=question,
            text_pair="knowledge-kit\nTokens\nThe Auth service issues JWT access tokens.",
            features=(1.0, 9000.0),
        ),
        PredictionInput(
            text=question,
            text_pair=(
                "Knowledge platform\nmake up: the platform on one machine\n"
                "Ctrl-C, SIGTERM or a closed terminal stops the edge, then the services, "
                "then the broker."
            ),
            features=(2.0, 4000.0),
        ),
    ]
    scores, routed = await ml.inference.predict(deployment.name, "asker-1", inputs)
    assert routed.model_version == states[-1].model_version
    assert scores[1] > scores[0]
