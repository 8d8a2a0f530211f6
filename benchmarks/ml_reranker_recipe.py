"""What ms_ml's built-in `reranker` recipe buys ms_chat's retrieval, and what it costs: MRR@10
and nDCG@10 of the first stage's order (the untrained baseline) and of the trained reranker's,
side by side, on questions it never trained on; and the wall time of a training job.

    .venv/bin/python benchmarks/ml_reranker_recipe.py [--seeds 1 2 3 4 5] [--epochs 300]

The data is the recipe's own, shipped with ms_ml (services/ms_ml/src/ms_ml/recipes/data/
retrieval_eval: the snapshot of the platform's READMEs and the 259 questions of
benchmarks/data/vector_retrieval, each naming its answer as quotes). For each seed the questions
are split 70/30; the first stage ranks every passage as ms_vector's hybrid search does (WordLlama
similarity and BM25 fused by reciprocal rank) and keeps 20; the reranker is trained on the 70%
and both orders are scored on the held-out 30% (the same candidates, so the difference is the
reranker's alone). A question whose answer the first stage missed counts 0 in both.

The wall time is measured twice: the recipe called in process (the embedder loaded once for
every seed) and a training job's process as the service runs it (`python -m
ms_ml.training.worker`: interpreter, imports, loading WordLlama, training, writing the model).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from knowledge_kit.embeddings import WordLlamaEmbedder
from ms_ml.recipes.catalogue import RECIPES
from ms_ml.recipes.params import read_params
from ms_ml.recipes.reporting import CollectingReporter
from ms_ml.recipes.reranker import train

RECIPE = RECIPES["reranker"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--epochs", type=int, default=300)
    args = parser.parse_args()
    embedder = WordLlamaEmbedder()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        print(
            f"{'seed':>4} {'held out':>8}  {'MRR@10 base':>11} {'reranked':>8} {'gain':>6}"
            f"  {'nDCG@10 base':>12} {'reranked':>8} {'gain':>6}  {'train s':>7}"
        )
        for seed in args.seeds:
            params = read_params(RECIPE.params, {"seed": str(seed), "epochs": str(args.epochs)})
            started = time.perf_counter()
            outcome = train(
                params, RECIPE.default_dataset, Path(scratch), CollectingReporter(), embedder
            )
            seconds = time.perf_counter() - started
            m = outcome.metrics
            rows.append((m, seconds))
            print(
                f"{seed:>4} {int(m['heldout_questions']):>8}  {m['baseline_mrr_at_10']:>11.3f} "
                f"{m['mrr_at_10']:>8.3f} {m['mrr_at_10'] - m['baseline_mrr_at_10']:>+6.3f}  "
                f"{m['baseline_ndcg_at_10']:>12.3f} {m['ndcg_at_10']:>8.3f} "
                f"{m['ndcg_at_10'] - m['baseline_ndcg_at_10']:>+6.3f}  {seconds:>7.2f}"
            )

        def mean(key: str) -> float:
            return statistics.mean(m[key] for m, _ in rows)

        print(
            f"mean {'':>8}  {mean('baseline_mrr_at_10'):>11.3f} {mean('mrr_at_10'):>8.3f} "
            f"{mean('mrr_at_10') - mean('baseline_mrr_at_10'):>+6.3f}  "
            f"{mean('baseline_ndcg_at_10'):>12.3f} {mean('ndcg_at_10'):>8.3f} "
            f"{mean('ndcg_at_10') - mean('baseline_ndcg_at_10'):>+6.3f}  "
            f"{statistics.mean(s for _, s in rows):>7.2f}"
        )
        print(
            f"reranked / baseline: MRR@10 x{mean('mrr_at_10') / mean('baseline_mrr_at_10'):.3f}, "
            f"nDCG@10 x{mean('ndcg_at_10') / mean('baseline_ndcg_at_10'):.3f}"
        )

        spec = Path(scratch) / "spec.json"
        spec.write_text(
            json.dumps(
                {
                    "job": "models/reranker/trainingJobs/benchmark",
                    "recipe": "reranker",
                    "params": read_params(RECIPE.params, {"epochs": str(args.epochs)}),
                    "dataset": str(RECIPE.default_dataset),
                    "output": str(Path(scratch) / "job"),
                }
            )
        )
        started = time.perf_counter()
        finished = subprocess.run(
            [sys.executable, "-m", "ms_ml.training.worker", str(spec)],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - started
        outcome_line = json.loads(finished.stdout.splitlines()[-1])
        assert "outcome" in outcome_line, finished.stdout[-500:]
        print(f"a training job's process, start to model written: {seconds:.1f}s (goal: under 60s)")


if __name__ == "__main__":
    main()
