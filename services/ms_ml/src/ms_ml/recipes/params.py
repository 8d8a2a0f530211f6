"""A recipe's parameters: the names it takes, their kinds, bounds and defaults. A job's
`hyperparameters` are text; each is read as its parameter's kind and checked against its bounds
before the job is queued, so a mistake is refused at once, naming the parameter."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


class ParamError(ValueError):
    """A parameter that is unknown, unreadable or out of bounds."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: type[int] | type[float]
    default: float
    minimum: float
    maximum: float
    description: str

    def read(self, text: str) -> float:
        try:
            value = self.kind(text.strip())
        except ValueError:
            raise ParamError(self.name, f"must be {self._kind_name()}, got {text[:40]!r}") from None
        if not math.isfinite(value) or not self.minimum <= value <= self.maximum:
            raise ParamError(self.name, f"must be from {self.minimum:g} to {self.maximum:g}")
        return value

    def _kind_name(self) -> str:
        return "a whole number" if self.kind is int else "a number"


def read_params(specs: tuple[Param, ...], given: Mapping[str, str]) -> dict[str, float]:
    """Every parameter's value: the given ones read and checked, the others their default."""
    known = {spec.name: spec for spec in specs}
    for name in given:
        if name not in known:
            raise ParamError(
                name, f"is not a parameter of this recipe (it takes {', '.join(known)})"
            )
    return {
        spec.name: spec.read(given[spec.name]) if spec.name in given else spec.default
        for spec in specs
    }
