"""Code generators from npm and the Go module proxy, installed once per pinned set in the user cache."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from fleet.paths import cache_dir
from fleet.protos.layout import RegistryLayout
from fleet.protos.tools import run_tool, system_tool

NPM_PINS = ("package.json", "package-lock.json")
GO_TOOL_PINS = ("go.mod", "go.sum")


def typescript_toolchain(layout: RegistryLayout) -> Path:
    """node_modules with protoc-gen-es, the runtime libraries and tsc, as package-lock.json pins."""
    pins = layout.registry / "typescript"
    home = _keyed_cache("protos-npm", pins, NPM_PINS)
    node_modules = home / "node_modules"
    with _locked(home):
        if not (node_modules / ".bin" / "protoc-gen-es").exists():
            for name in NPM_PINS:
                shutil.copyfile(pins / name, home / name)
            run_tool(
                [
                    system_tool("npm", "to install the TypeScript code generator"),
                    "ci",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                ],
                what="npm ci (TypeScript toolchain)",
                cwd=home,
                env={"npm_config_cache": str(cache_dir() / "npm")},
            )
    return node_modules


def go_toolchain(layout: RegistryLayout) -> Path:
    """A GOBIN with protoc-gen-go and protoc-gen-go-grpc, as proto-registry/go/tools/go.mod pins."""
    pins = layout.registry / "go" / "tools"
    home = _keyed_cache("protos-go", pins, GO_TOOL_PINS)
    gobin = home / "bin"
    with _locked(home):
        wanted = [gobin / "protoc-gen-go", gobin / "protoc-gen-go-grpc"]
        if not all(path.exists() for path in wanted):
            run_tool(
                [system_tool("go", "to install the Go code generators"), "install", "tool"],
                what="go install (Go code generators)",
                cwd=pins,
                env={"GOBIN": str(gobin)},
            )
    return gobin


def _keyed_cache(kind: str, pins: Path, names: tuple[str, ...]) -> Path:
    digest = hashlib.sha256()
    for name in names:
        digest.update((pins / name).read_bytes())
    home = cache_dir() / kind / digest.hexdigest()[:16]
    home.mkdir(parents=True, exist_ok=True)
    return home


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """Parallel builds (test workers) install a toolchain once; the others wait for it."""
    with (home / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
