"""Progress of a local run on stderr: one line per finished step with its time, and the total."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from fleet.console import err


class Progress:
    """`with progress.step("starting ms_auth"): ...` prints `✓ starting ms_auth  1.2s` when done."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    @contextlib.contextmanager
    def step(self, doing: str) -> Iterator[None]:
        began = time.monotonic()
        with err.status(f"{doing}…"):
            yield
        err.print(f"[green]✓[/] {doing} [dim]{time.monotonic() - began:.1f}s[/]")

    def note(self, message: str) -> None:
        err.print(f"[yellow]•[/] {message}", soft_wrap=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.started
