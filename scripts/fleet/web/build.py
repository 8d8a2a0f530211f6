"""The web app, built: its sources with the registry's TypeScript stubs, `next build` (which
type-checks it) with the npm packages its package-lock.json pins, cached per version of its
sources, lockfile and contracts. Nothing is downloaded but those packages (no fonts, no
telemetry)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from fleet.edge.node_packages import exclusively, installed_node_modules
from fleet.paths import cache_dir
from fleet.protos.layout import RegistryLayout
from fleet.protos.tools import run_tool, system_tool
from fleet.protos.typescript_package import build_typescript

WEB_DIRECTORY = "web"
SOURCES = (
    "src",
    "public",
    "webpack",
    "package.json",
    "package-lock.json",
    "next.config.mjs",
    "tsconfig.json",
)
COMPLETE_MARKER = ".complete"
NEXT_CLI = Path("node_modules") / "next" / "dist" / "bin" / "next"
QUIET_NEXT = {"NEXT_TELEMETRY_DISABLED": "1"}


def web_sources(root: Path) -> Path:
    return root / WEB_DIRECTORY


def built_web_app(root: Path) -> Path:
    """A directory `next start` serves the app from, built unless already cached."""
    layout = RegistryLayout(root)
    sources = web_sources(root)
    target = cache_dir() / "web-app" / _sources_digest(sources, layout)
    target.mkdir(parents=True, exist_ok=True)
    with exclusively(target.parent / f"{target.name}.lock"):
        if not (target / COMPLETE_MARKER).exists():
            _build(sources, layout, target)
    return target


def write_stubs(root: Path, into: Path) -> Path:
    """The registry's TypeScript stubs at `into` (the app's tsconfig maps @knowledge/protos to
    web/protos/dist), resolving their imports from the app's own packages."""
    stubs = build_typescript(RegistryLayout(root), into)
    (stubs / "node_modules").unlink()
    return stubs


def next_command(app: Path, *arguments: str) -> list[str]:
    """`next <arguments>` with the machine's Node.js, for the app built at `app`."""
    return [system_tool("node", "to run the web app"), str(app / NEXT_CLI), *arguments]


def _build(sources: Path, layout: RegistryLayout, target: Path) -> None:
    shutil.rmtree(target)
    target.mkdir()
    for name in SOURCES:
        source = sources / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copyfile(source, target / name)
    (target / "node_modules").symlink_to(installed_node_modules(sources), target_is_directory=True)
    # Without the registry toolchain's node_modules the stubs' imports resolve to the app's
    # packages, so the app holds one copy of @bufbuild/protobuf.
    write_stubs(layout.root, target / "protos")
    run_tool(next_command(target, "build"), what="building the web app", cwd=target, env=QUIET_NEXT)
    # The compiler's cache (about 120 MB) serves no later build: each builds in its own directory.
    shutil.rmtree(target / ".next" / "cache", ignore_errors=True)
    (target / COMPLETE_MARKER).touch()


def _sources_digest(sources: Path, layout: RegistryLayout) -> str:
    """Changes with the app's sources, its npm pins and the contracts."""
    digest = hashlib.sha256()
    files: list[tuple[Path, Path]] = []
    for name in SOURCES:
        path = sources / name
        if path.is_dir():
            files += [(sources, p) for p in sorted(path.rglob("*")) if p.is_file()]
        elif path.is_file():
            files.append((sources, path))
    files += [(layout.proto_root, layout.proto_root / p) for p in layout.proto_files()]
    for base, path in files:
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
