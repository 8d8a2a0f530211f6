"""The built-in `reranker` recipe: a reranker for ms_chat's retrieval, trained on CPU in seconds.

For each question of the dataset, the first stage ranks every passage of the corpus as
ms_vector's hybrid search does (dense WordLlama similarity and BM25, fused by reciprocal rank,
k = 60) and keeps the first `candidates`: that order is the untrained baseline. The reranker
reorders them from the features of `features.py` with a linear model trained pairwise on the
training split (plus any answer feedback); the held-out split, drawn from the evaluation set
with `seed` and never trained on, gives the version's metrics, MRR@10 and nDCG@10, beside the
baseline's on the same candidates.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .dataset import Question, load_dataset
from .features import Candidate, Matrix, Vectors, feature_matrix
from .lexical import Bm25
from .linear_model import FORMAT, Embedder, Group, LinearReranker, train_pairwise
from .params import Param
from .passages import Passage
from .ranking_metrics import ndcg, reciprocal_rank
from .reporting import Reporter, TrainingOutcome
from .text import terms

NAME = "reranker"
ARTIFACT = "reranker.json"
RRF_K = 60
AT = 10

PARAMS: tuple[Param, ...] = (
    Param("epochs", int, 300, 1, 5000, "gradient descent steps over every training pair"),
    Param("learning_rate", float, 0.5, 1e-4, 10.0, "step size"),
    Param("l2", float, 0.001, 0.0, 10.0, "weight decay"),
    Param("holdout_fraction", float, 0.3, 0.05, 0.9, "share of the questions held out"),
    Param("candidates", int, 20, 5, 100, "first-stage passages reranked per question"),
    Param("seed", int, 7, 0, 2**31 - 1, "draws the held-out split"),
    Param("passage_chars", int, 1200, 200, 10000, "longest passage the corpus is cut into"),
)


@dataclass(frozen=True, slots=True)
class Ranked:
    """One question's first-stage candidates (passage indexes, best first) and its labels."""

    question: Question
    candidates: list[int]
    relevant: list[bool]
    irrelevant: list[bool]


@dataclass(frozen=True, slots=True)
class Evaluation:
    mrr: float
    ndcg: float
    baseline_mrr: float
    baseline_ndcg: float
    questions: int


class _Corpus:
    """The corpus's passages, embedded once, and its BM25 index."""

    def __init__(self, passages: list[Passage], embedder: Embedder) -> None:
        self.passages = passages
        self.candidates = [
            Candidate(p.title, " > ".join(p.headings), p.text, 1, p.start) for p in passages
        ]
        self.vectors = embedder.embed([c.full_text() for c in self.candidates])
        self.heading_vectors = embedder.embed([c.heading_text() for c in self.candidates])
        self._bm25 = Bm25([terms(c.full_text()) for c in self.candidates])

    def first_stage(self, query_vector: Vectors, query: str, limit: int) -> list[int]:
        """Reciprocal-rank fusion of the dense and the BM25 ranking of every passage."""
        dense = np.argsort(-(self.vectors @ query_vector), kind="stable")
        lexical_scores = np.asarray(self._bm25.scores(terms(query)))
        lexical = np.argsort(-lexical_scores, kind="stable")
        fused: dict[int, float] = {}
        for rank, index in enumerate(dense, 1):
            fused[int(index)] = 1.0 / (RRF_K + rank)
        for rank, index in enumerate(lexical, 1):
            if lexical_scores[index] > 0:
                fused[int(index)] += 1.0 / (RRF_K + rank)
        return sorted(fused, key=lambda index: -fused[index])[:limit]

    def features(self, query: str, query_vector: Vectors, ranked: list[int]) -> Matrix:
        candidates = [
            Candidate(c.title, c.headings, c.text, rank, c.start)
            for rank, c in enumerate((self.candidates[i] for i in ranked), 1)
        ]
        return feature_matrix(
            query,
            query_vector,
            candidates,
            self.vectors[ranked],
            self.heading_vectors[ranked],
        )


def split(questions: Sequence[Question], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """(training, held-out) question indexes: a shuffle by `seed`, the first `fraction` held out."""
    order = list(range(len(questions)))
    random.Random(seed).shuffle(order)
    cut = max(1, round(len(order) * fraction))
    return sorted(order[cut:]), sorted(order[:cut])


def evaluate(model: LinearReranker, groups: Sequence[tuple[Ranked, Matrix]]) -> Evaluation:
    """MRR@10 and nDCG@10 of the model's order and of the first stage's, over `groups`."""
    mrr = dcg = base_mrr = base_dcg = 0.0
    for ranked, rows in groups:
        total = len(ranked.question.relevant)
        order = np.argsort(-model.scores(rows), kind="stable")
        reordered = [ranked.relevant[i] for i in order]
        mrr += reciprocal_rank(reordered, AT)
        dcg += ndcg(reordered, AT, total_relevant=total)
        base_mrr += reciprocal_rank(ranked.relevant, AT)
        base_dcg += ndcg(ranked.relevant, AT, total_relevant=total)
    count = max(len(groups), 1)
    return Evaluation(mrr / count, dcg / count, base_mrr / count, base_dcg / count, len(groups))


def train(
    params: Mapping[str, float],
    dataset_dir: Path,
    output_dir: Path,
    report: Reporter,
    embedder: Embedder | None = None,
) -> TrainingOutcome:
    """Trains a reranker on `dataset_dir` (see dataset.py), writes it to `output_dir`, and
    returns its held-out metrics and the baseline's."""
    started = time.perf_counter()
    dataset = load_dataset(dataset_dir, max_chars=int(params["passage_chars"]))
    report.log(
        f"dataset: {len(dataset.passages)} passages, {len(dataset.questions)} questions, "
        f"{len(dataset.feedback)} rated by feedback"
    )
    if embedder is None:
        from knowledge_kit.embeddings import WordLlamaEmbedder

        embedder = WordLlamaEmbedder()
    corpus = _Corpus(dataset.passages, embedder)
    limit = int(params["candidates"])
    training, held_out = split(
        dataset.questions, float(params["holdout_fraction"]), int(params["seed"])
    )
    questions = [dataset.questions[i] for i in training] + dataset.feedback
    groups = _groups(corpus, questions, limit, embedder)
    tests = _groups(corpus, [dataset.questions[i] for i in held_out], limit, embedder)
    report.log(
        f"split: {len(training)} training questions (+{len(dataset.feedback)} from feedback), "
        f"{len(held_out)} held out; {limit} candidates each "
        f"({time.perf_counter() - started:.1f}s)"
    )
    epochs = int(params["epochs"])
    every = max(1, epochs // 20)

    def on_epoch(epoch: int, loss: float) -> None:
        if epoch % every == 0 or epoch == epochs:
            report.metric("loss", epoch, loss)

    model = train_pairwise(
        [Group(rows, tuple(r.relevant), tuple(r.irrelevant)) for r, rows in groups],
        epochs=epochs,
        learning_rate=float(params["learning_rate"]),
        l2=float(params["l2"]),
        on_epoch=on_epoch,
    )
    trained = evaluate(model, [g for g in groups if not g[0].question.from_feedback])
    result = evaluate(model, tests)
    for name, value in (
        ("train_mrr_at_10", trained.mrr),
        ("mrr_at_10", result.mrr),
        ("ndcg_at_10", result.ndcg),
        ("baseline_mrr_at_10", result.baseline_mrr),
        ("baseline_ndcg_at_10", result.baseline_ndcg),
    ):
        report.metric(name, epochs, value)
    report.log(
        f"held out ({result.questions} questions): MRR@10 {result.baseline_mrr:.3f} -> "
        f"{result.mrr:.3f}, nDCG@10 {result.baseline_ndcg:.3f} -> {result.ndcg:.3f} "
        f"(first stage -> reranked)"
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    artifact = output_dir / ARTIFACT
    artifact.write_text(model.to_json(), encoding="utf-8")
    weights = ", ".join(
        f"{name} {weight:+.2f}" for name, weight in zip(model.features, model.weights, strict=True)
    )
    report.log(f"weights: {weights}")
    report.log(f"trained in {time.perf_counter() - started:.1f}s")
    return TrainingOutcome(
        artifact=artifact,
        format=FORMAT,
        metrics={
            "mrr_at_10": result.mrr,
            "ndcg_at_10": result.ndcg,
            "baseline_mrr_at_10": result.baseline_mrr,
            "baseline_ndcg_at_10": result.baseline_ndcg,
            "train_mrr_at_10": trained.mrr,
            "heldout_questions": float(result.questions),
            "train_questions": float(len(questions)),
        },
        description=(
            f"reranker of {limit} hybrid candidates; held-out MRR@10 {result.mrr:.3f} "
            f"(first stage {result.baseline_mrr:.3f}), nDCG@10 {result.ndcg:.3f} "
            f"({result.baseline_ndcg:.3f})"
        ),
    )


def _groups(
    corpus: _Corpus, questions: Sequence[Question], limit: int, embedder: Embedder
) -> list[tuple[Ranked, Matrix]]:
    """Each question's candidates with their features; a passage rated by feedback joins its
    question's candidates when the first stage left it out (the asker saw it cited)."""
    if not questions:
        return []
    vectors = embedder.embed([question.text for question in questions])
    groups = []
    for question, vector in zip(questions, vectors, strict=True):
        ranked = corpus.first_stage(vector, question.text, limit)
        rated = sorted((question.relevant | question.irrelevant) - set(ranked))
        if question.from_feedback:
            ranked = ranked + rated
        item = Ranked(
            question,
            ranked,
            [index in question.relevant for index in ranked],
            [index in question.irrelevant for index in ranked],
        )
        groups.append((item, corpus.features(question.text, vector, ranked)))
    return groups
