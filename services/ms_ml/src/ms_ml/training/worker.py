"""A training job's own process: `python -m ms_ml.training.worker SPEC.json`, or, in a
Kubernetes Job, `python -m ms_ml.training.worker --from-environment` (the spec in
MS_ML_TRAINING_SPEC, and the model written back inline, base64 in the outcome's
`artifact_base64`, since the pod shares no file system with the service).

SPEC names the job, its recipe, the recipe's parameters (already checked), the dataset and the
directory to write the model to. Everything it reports goes to stdout as one JSON object a line,
as it happens: `{"log": line}`, `{"metric": name, "step": n, "value": x}`, then, when the recipe
succeeded, `{"outcome": {"artifact", "format", "metrics", "description"}}`; a failure is
`{"error": message}` and exit status 1.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any, TextIO

from .limits import apply_limits_from_environment


class _StdoutReporter:
    def __init__(self, out: TextIO) -> None:
        self._out = out

    def _write(self, record: dict[str, Any]) -> None:
        self._out.write(json.dumps(record) + "\n")
        self._out.flush()

    def log(self, line: str) -> None:
        self._write({"log": line})

    def metric(self, name: str, step: int, value: float) -> None:
        self._write({"metric": name, "step": step, "value": value})

    def outcome(self, record: dict[str, Any]) -> None:
        self._write({"outcome": record})

    def error(self, message: str) -> None:
        self._write({"error": message})


SPEC_VARIABLE = "MS_ML_TRAINING_SPEC"


def run(spec_path: Path | None, out: TextIO) -> int:
    """Runs the spec at `spec_path`, or the one in MS_ML_TRAINING_SPEC when None."""
    reporter = _StdoutReporter(out)
    try:
        from ..recipes.catalogue import recipe_named  # after the limits: numpy, the embedder

        spec = json.loads(
            spec_path.read_text(encoding="utf-8") if spec_path else os.environ[SPEC_VARIABLE]
        )
        recipe = recipe_named(spec["recipe"])
        if recipe is None:
            raise ValueError(f"unknown recipe {spec['recipe']!r}")
        reporter.log(f"{spec['job']}: recipe {recipe.name}, params {spec['params']}")
        outcome = recipe.train(
            spec["params"],
            Path(spec["dataset"]) if spec.get("dataset") else recipe.default_dataset,
            Path(spec["output"]),
            reporter,
        )
    except MemoryError:
        reporter.error("ran out of memory (its memory limit)")
        return 1
    except Exception as error:  # the job's failure, reported to it rather than raised
        traceback.print_exc(file=sys.stderr)
        reporter.error(f"{type(error).__name__}: {error}")
        return 1
    record = {
        "artifact": str(outcome.artifact),
        "format": outcome.format,
        "metrics": outcome.metrics,
        "description": outcome.description,
    }
    if spec_path is None:
        record["artifact_base64"] = base64.b64encode(outcome.artifact.read_bytes()).decode()
    reporter.outcome(record)
    return 0


if __name__ == "__main__":
    apply_limits_from_environment()
    sys.exit(run(None if sys.argv[1] == "--from-environment" else Path(sys.argv[1]), sys.stdout))
