"""Golden renders: what every chart renders to in every scenario, committed and diffed."""

from __future__ import annotations

import difflib
from pathlib import Path

from fleet.charts.layout import CHARTS_DIR, GOLDEN_DIR


def golden_text(manifests: dict[str, str]) -> str:
    """One chart's render as one reviewable file, templates in a stable order."""
    parts = [
        f"# Source: {template}\n{text.strip()}\n"
        for template, text in sorted(manifests.items())
        if text.strip()
    ]
    return "---\n".join(parts)


def golden_path(root: Path, scenario: str, chart: str) -> Path:
    return root / CHARTS_DIR / GOLDEN_DIR / scenario / f"{chart}.yaml"


def golden_difference(path: Path, rendered: str) -> str | None:
    """None when the committed golden matches; otherwise the first changed line, briefly."""
    if not path.is_file():
        return "no golden render committed"
    committed = path.read_text(encoding="utf-8")
    if committed == rendered:
        return None
    for line in difflib.unified_diff(
        committed.splitlines(), rendered.splitlines(), lineterm="", n=0
    ):
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            return f"differs from the render, first at: {line.strip()[:120]}"
    return "differs from the render (whitespace)"


def stale_goldens(root: Path, rendered: set[Path]) -> list[Path]:
    """Golden files no scenario and chart render any more."""
    directory = root / CHARTS_DIR / GOLDEN_DIR
    return sorted(path for path in directory.glob("*/*.yaml") if path not in rendered)
