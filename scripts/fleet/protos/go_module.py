"""The Go module: protoc-gen-go messages and protoc-gen-go-grpc services, checked by `go build`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from fleet.errors import FleetError
from fleet.protos.buf_generate import buf_generate
from fleet.protos.layout import RegistryLayout
from fleet.protos.toolchains import go_toolchain
from fleet.protos.tools import run_tool, system_tool

_MODULE_LINE = re.compile(r"^module\s+(\S+)\s*$", re.MULTILINE)


def go_module_path(layout: RegistryLayout) -> str:
    """The stubs' module path, declared once in proto-registry/go/go.mod."""
    go_mod = layout.registry / "go" / "go.mod"
    match = _MODULE_LINE.search(go_mod.read_text(encoding="utf-8"))
    if match is None:
        raise FleetError(f"{go_mod.relative_to(layout.root)} declares no module")
    return match.group(1)


def build_go(layout: RegistryLayout, output: Path) -> Path:
    """Generate the stubs next to the committed go.mod/go.sum and `go build ./...` them."""
    gobin = go_toolchain(layout)
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    for name in ("go.mod", "go.sum"):
        shutil.copyfile(layout.registry / "go" / name, output / name)
    buf_generate(
        layout,
        output,
        [
            {"local": str(gobin / plugin), "out": ".", "opt": ["paths=source_relative"]}
            for plugin in ("protoc-gen-go", "protoc-gen-go-grpc")
        ],
        # Go import paths come from the module path, so the .proto files stay language-neutral.
        managed={
            "enabled": True,
            "override": [{"file_option": "go_package_prefix", "value": go_module_path(layout)}],
        },
        what="generating Go code",
    )
    run_tool(
        [system_tool("go", "to build the Go stubs"), "build", "./..."],
        what="go build",
        cwd=output,
    )
    return output
