"""A problem the chart check found, naming where: scenario, chart, object and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    """One finding; `subject` is what it is about (a file, or `<Kind> <namespace>/<name>`)."""

    scenario: str
    chart: str
    subject: str
    field: str
    message: str

    def __str__(self) -> str:
        where = "/".join(part for part in (self.scenario, self.chart) if part)
        field = f" {self.field}:" if self.field else ""
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.subject}:{field} {self.message}"


def object_label(document: dict[str, Any]) -> str:
    """`Kind namespace/name` for a rendered object."""
    metadata = document.get("metadata") or {}
    namespace = metadata.get("namespace")
    name = metadata.get("name", "<unnamed>")
    return (
        f"{document.get('kind', '<no kind>')} {namespace}/{name}"
        if namespace
        else f"{document.get('kind')} {name}"
    )
