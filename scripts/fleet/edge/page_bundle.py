"""The local page, bundled: its TypeScript with the registry's TypeScript stubs, type-checked by
tsc and bundled by esbuild into `index.html` + `app.js`, cached per version of its sources."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from fleet.edge.node_packages import exclusively, installed_node_modules
from fleet.paths import cache_dir
from fleet.protos.layout import RegistryLayout
from fleet.protos.tools import run_tool, system_tool
from fleet.protos.typescript_package import build_typescript

PAGE_SOURCES = Path(__file__).resolve().parent / "page"
BUNDLE = "app.js"
COMPLETE_MARKER = ".complete"


def page_bundle(root: Path) -> Path:
    """A directory with the page's `index.html` and its bundle, built unless already cached."""
    layout = RegistryLayout(root)
    target = cache_dir() / "edge-page" / _sources_digest(layout)
    target.mkdir(parents=True, exist_ok=True)
    with exclusively(target / ".build.lock"):
        if not (target / COMPLETE_MARKER).exists():
            _build(layout, target)
    return target


def _build(layout: RegistryLayout, target: Path) -> None:
    node_modules = installed_node_modules(PAGE_SOURCES)
    node = system_tool("node", "to build the local page")
    with tempfile.TemporaryDirectory(prefix="fleet-page-") as scratch:
        build = Path(scratch)
        shutil.copytree(PAGE_SOURCES / "src", build / "src")
        shutil.copyfile(PAGE_SOURCES / "tsconfig.json", build / "tsconfig.json")
        (build / "node_modules").symlink_to(node_modules, target_is_directory=True)
        stubs = build_typescript(layout, build / "protos")
        # The stubs' own node_modules is the registry's toolchain; without it their imports resolve
        # to the page's packages, so the bundle holds one copy of @bufbuild/protobuf.
        (stubs / "node_modules").unlink()
        run_tool(
            [node, str(node_modules / "typescript" / "bin" / "tsc"), "-p", "tsconfig.json"],
            what="type-checking the local page",
            cwd=build,
        )
        run_tool(
            [
                node,
                str(node_modules / "esbuild" / "bin" / "esbuild"),
                "src/main.ts",
                "--bundle",
                "--format=esm",
                "--target=es2022",
                "--minify",
                "--sourcemap",
                f"--outfile={target / BUNDLE}",
            ],
            what="bundling the local page",
            cwd=build,
        )
    shutil.copyfile(PAGE_SOURCES / "index.html", target / "index.html")
    (target / COMPLETE_MARKER).touch()


def _sources_digest(layout: RegistryLayout) -> str:
    """Changes with the page's sources, its npm pins and the contracts."""
    digest = hashlib.sha256()
    for base, paths in (
        (PAGE_SOURCES, sorted(p for p in PAGE_SOURCES.rglob("*") if p.is_file())),
        (layout.proto_root, [layout.proto_root / p for p in layout.proto_files()]),
    ):
        for path in paths:
            digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
