"""The TypeScript package: protobuf-es messages and Connect service descriptors, compiled by tsc."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fleet.protos.buf_generate import buf_generate
from fleet.protos.layout import RegistryLayout
from fleet.protos.semver import read_version
from fleet.protos.toolchains import typescript_toolchain
from fleet.protos.tools import run_tool, system_tool

COMPILER_OPTIONS: dict[str, object] = {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM"],
    "strict": True,
    "declaration": True,
    "skipLibCheck": True,
    "rootDir": "src",
    "outDir": "dist",
}
TSCONFIG = {"compilerOptions": COMPILER_OPTIONS, "include": ["src"]}


def build_typescript(layout: RegistryLayout, output: Path) -> Path:
    """Generate `src/`, compile it to `dist/` (JavaScript and .d.ts) and write package.json."""
    node_modules = typescript_toolchain(layout)
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    buf_generate(
        layout,
        output / "src",
        [
            {
                "local": str(node_modules / ".bin" / "protoc-gen-es"),
                "out": ".",
                # .js import suffixes make the output valid ES modules for Node and bundlers alike.
                "opt": ["target=ts", "import_extension=js"],
            }
        ],
        what="generating TypeScript code",
    )
    manifest = json.loads((layout.registry / "typescript" / "package.json").read_text())
    manifest["version"] = str(read_version(layout.version_file))
    (output / "package.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (output / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2) + "\n", encoding="utf-8")
    (output / "node_modules").symlink_to(node_modules, target_is_directory=True)
    compile_typescript(layout, output / "tsconfig.json")
    return output


def compile_typescript(layout: RegistryLayout, tsconfig: Path) -> None:
    """tsc over a project; type errors fail the build with their first lines."""
    tsc = typescript_toolchain(layout) / "typescript" / "bin" / "tsc"
    run_tool(
        [system_tool("node", "to compile the TypeScript stubs"), str(tsc), "-p", str(tsconfig)],
        what="tsc",
        cwd=tsconfig.parent,
    )
