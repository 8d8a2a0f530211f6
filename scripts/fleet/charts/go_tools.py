"""Go programs the chart check runs, built once per pinned source from the Go module proxy into
the user cache (parallel checks wait for the one build)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from fleet.paths import cache_dir
from fleet.protos.tools import run_tool, system_tool


def built_go_tool(
    source: Path, pinned: Sequence[str], binary_name: str, build: Sequence[str]
) -> Path:
    """`go <build…>` run in `source` with GOBIN and the output path set, once for the content of
    the `pinned` files; the binary's path."""
    digest = hashlib.sha256()
    for name in pinned:
        digest.update(name.encode())
        digest.update((source / name).read_bytes())
    home = cache_dir() / "charts-go" / digest.hexdigest()[:16]
    home.mkdir(parents=True, exist_ok=True)
    binary = home / "bin" / binary_name
    with _locked(home):
        if not binary.exists():
            arguments = [argument.replace("{output}", str(binary)) for argument in build]
            run_tool(
                [system_tool("go", f"to build {binary_name}"), *arguments],
                what=f"go {arguments[0]} ({binary_name})",
                cwd=source,
                env={"GOBIN": str(home / "bin")},
            )
    return binary


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    with (home / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
