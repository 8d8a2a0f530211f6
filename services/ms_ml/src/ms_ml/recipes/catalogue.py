"""The recipes a training job may name, with their parameters and the format of what they make."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import reranker
from .linear_model import FORMAT as LINEAR_RERANKER_FORMAT
from .params import Param
from .reporting import Reporter, TrainingOutcome

DATA = Path(__file__).parent / "data"

Train = Callable[[Mapping[str, float], Path, Path, Reporter], TrainingOutcome]


@dataclass(frozen=True, slots=True)
class Recipe:
    name: str
    description: str
    params: tuple[Param, ...]
    model_format: str
    default_dataset: Path
    train: Train


def _train_reranker(
    params: Mapping[str, float], dataset: Path, output: Path, report: Reporter
) -> TrainingOutcome:
    return reranker.train(params, dataset, output, report)


RECIPES: dict[str, Recipe] = {
    reranker.NAME: Recipe(
        name=reranker.NAME,
        description="reranks ms_chat's retrieved passages (held-out MRR@10 and nDCG@10)",
        params=reranker.PARAMS,
        model_format=LINEAR_RERANKER_FORMAT,
        default_dataset=DATA / "retrieval_eval",
        train=_train_reranker,
    ),
}


def recipe_named(name: str) -> Recipe | None:
    return RECIPES.get(name)
