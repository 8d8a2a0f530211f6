"""The built-in reranker recipe trained on the shipped evaluation set: it beats the first
stage's order on questions it never trained on, and what it writes is a model that loads and
ranks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from knowledge_kit.embeddings import WordLlamaEmbedder

from ms_ml.recipes.catalogue import RECIPES
from ms_ml.recipes.dataset import DatasetError, load_dataset
from ms_ml.recipes.features import Candidate
from ms_ml.recipes.linear_model import ModelFileError, load_reranker
from ms_ml.recipes.params import ParamError, read_params
from ms_ml.recipes.reporting import CollectingReporter, TrainingOutcome
from ms_ml.recipes.reranker import split
from ms_ml.recipes.reranker_model import load_reranker as serving_reranker

RECIPE = RECIPES["reranker"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainingOutcome, CollectingReporter]:
    reporter = CollectingReporter()
    params = read_params(RECIPE.params, {"epochs": "200"})
    outcome = RECIPE.train(params, RECIPE.default_dataset, tmp_path_factory.mktemp("out"), reporter)
    return outcome, reporter


def test_the_reranker_beats_the_first_stage_on_held_out_questions(
    trained: tuple[TrainingOutcome, CollectingReporter],
) -> None:
    outcome, _ = trained
    metrics = outcome.metrics
    assert metrics["mrr_at_10"] > metrics["baseline_mrr_at_10"]
    assert metrics["ndcg_at_10"] > metrics["baseline_ndcg_at_10"]
    assert metrics["heldout_questions"] == 78  # 30% of 259
    assert outcome.format == "linear-reranker-json"


def test_the_held_out_questions_are_never_trained_on() -> None:
    questions = load_dataset(RECIPE.default_dataset).questions
    training, held_out = split(questions, 0.3, 7)
    assert not set(training) & set(held_out)
    assert sorted(training + held_out) == list(range(len(questions)))
    assert split(questions, 0.3, 7) == (training, held_out)
    assert split(questions, 0.3, 8) != (training, held_out)


def test_training_reports_its_loss_and_held_out_metrics_as_it_goes(
    trained: tuple[TrainingOutcome, CollectingReporter],
) -> None:
    _, reporter = trained
    losses = [value for name, _, value in reporter.points if name == "loss"]
    assert len(losses) == 20
    assert losses[-1] < losses[0]
    assert {"mrr_at_10", "baseline_mrr_at_10"} <= {name for name, _, _ in reporter.points}
    assert any(line.startswith("held out (78 questions)") for line in reporter.lines)


def test_the_model_file_loads_and_puts_the_answering_passage_first(
    trained: tuple[TrainingOutcome, CollectingReporter],
) -> None:
    model = load_reranker(trained[0].artifact)
    embedder = WordLlamaEmbedder()
    question = "Which port does the edge serve its page on?"
    candidates = [
        Candidate("knowledge-kit", "Tokens", "The Auth service issues JWT access tokens.", 1),
        Candidate(
            "Knowledge platform",
            "make up > The edge",
            "The edge serves its page on http 8080 and gRPC on 8090.",
            2,
        ),
    ]
    scores = model.rank(question, candidates, embedder)
    assert scores[1] > scores[0]
    pairs = [candidate.full_text() for candidate in candidates]
    assert model.predict(question, pairs, [[1.0], [2.0]], embedder) == pytest.approx(scores)


def test_a_corrupt_model_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "reranker.json"
    path.write_text('{"format": "linear-reranker-json", "format_version": 1}')
    with pytest.raises(ModelFileError, match="features"):
        load_reranker(path)
    path.write_bytes(b"\x00\x01")
    with pytest.raises(ModelFileError, match="not a linear-reranker-json file"):
        load_reranker(path)


@pytest.mark.parametrize(
    ("given", "name", "problem"),
    [
        ({"epoch": "3"}, "epoch", "is not a parameter of this recipe"),
        ({"epochs": "many"}, "epochs", "must be a whole number"),
        ({"learning_rate": "nan"}, "learning_rate", "must be from"),
        ({"holdout_fraction": "1.5"}, "holdout_fraction", "must be from 0.05 to 0.9"),
    ],
)
def test_bad_parameters_are_refused_naming_them(
    given: dict[str, str], name: str, problem: str
) -> None:
    with pytest.raises(ParamError) as refused:
        read_params(RECIPE.params, given)
    assert refused.value.name == name
    assert problem in refused.value.problem


def test_answer_feedback_trains_beside_the_evaluation_set(tmp_path: Path) -> None:
    dataset = tmp_path / "data"
    (dataset / "corpus").mkdir(parents=True)
    source = RECIPE.default_dataset
    for path in (source / "corpus").glob("*.md"):
        (dataset / "corpus" / path.name).write_text(path.read_text())
    (dataset / "questions.jsonl").write_text((source / "questions.jsonl").read_text())
    feedback = [
        {
            "question": "where is the page?",
            "document": "platform",
            "quote": "page   http://127.0.0.1:8080/",
            "rating": "up",
        },
        {
            "question": "where is the page?",
            "document": "kit",
            "quote": "The Auth service issues",
            "rating": "down",
        },
    ]
    (dataset / "feedback.jsonl").write_text("\n".join(json.dumps(f) for f in feedback))
    loaded = load_dataset(dataset)
    assert len(loaded.feedback) == 1
    rated = loaded.feedback[0]
    assert rated.from_feedback and rated.relevant and rated.irrelevant
    reporter = CollectingReporter()
    params = read_params(RECIPE.params, {"epochs": "20"})
    outcome = RECIPE.train(params, dataset, tmp_path / "out", reporter)
    assert outcome.metrics["train_questions"] == 181 + 1
    (dataset / "feedback.jsonl").write_text(json.dumps({**feedback[0], "rating": "meh"}))
    with pytest.raises(
        DatasetError, match=r"feedback\.jsonl line 1: rating must be 'up' or 'down'"
    ):
        load_dataset(dataset)


@dataclass(frozen=True)
class _Input:
    text: str
    text_pair: str
    features: tuple[float, ...] = ()


def test_serving_scores_each_query_s_candidates_together(
    trained: tuple[TrainingOutcome, CollectingReporter],
) -> None:
    predictor = serving_reranker(trained[0].artifact)
    edge = "Knowledge platform\nmake up\nThe edge serves its page on http 8080."
    tokens = "knowledge-kit\nTokens\nThe Auth service issues JWT access tokens."
    first = "Which port does the edge serve its page on?"
    second = "Who issues access tokens?"
    scores = predictor.predict(
        [_Input(first, tokens), _Input(second, edge), _Input(first, edge), _Input(second, tokens)]
    )
    assert scores[2] > scores[0]
    assert scores[3] > scores[1]
