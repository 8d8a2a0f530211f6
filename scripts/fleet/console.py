"""Shared terminal output: one console for tables and progress, one for errors."""

from rich.console import Console

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
