"""How a recipe tells its job what it is doing: log lines and metric points, as they happen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class Reporter(Protocol):
    def log(self, line: str) -> None: ...

    def metric(self, name: str, step: int, value: float) -> None: ...


@dataclass(frozen=True, slots=True)
class TrainingOutcome:
    """What a recipe produced: the model file, its format, the held-out metrics to register
    the version with, and a one-line description of the version."""

    artifact: Path
    format: str
    metrics: dict[str, float]
    description: str


@dataclass
class CollectingReporter:
    """Keeps what was reported, for callers that run a recipe in process (tests, benchmarks)."""

    lines: list[str] = field(default_factory=list)
    points: list[tuple[str, int, float]] = field(default_factory=list)
    echo: bool = False

    def log(self, line: str) -> None:
        self.lines.append(line)
        if self.echo:
            print(line, flush=True)

    def metric(self, name: str, step: int, value: float) -> None:
        self.points.append((name, step, value))
