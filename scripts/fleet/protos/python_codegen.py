"""Python code generation: _pb2.py, mypy-protobuf stubs and gRPC stubs laid out as a package tree."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.protos.layout import RegistryLayout
from fleet.protos.tools import run_tool, venv_tool
from fleet.protos.topics_module import TOPICS_PACKAGE, render_topics_module
from fleet.topics import load_topics

_PROTOBUF_GENCODE = re.compile(
    r"ValidateProtobufRuntimeVersion\(\s*_runtime_version\.Domain\.PUBLIC,\s*(\d+),\s*(\d+),\s*(\d+),"
)
_GRPC_GENCODE = re.compile(r"GRPC_GENERATED_VERSION = '([0-9.]+)'")


@dataclass(frozen=True)
class RuntimeRequirements:
    """The protobuf and grpcio ranges the generated code runs on (read from the code itself)."""

    protobuf: str
    grpcio: str


def generate_python_package(layout: RegistryLayout, target: Path) -> RuntimeRequirements:
    """Generate every contract plus the topic catalogue module into `target` (a package root)."""
    sources = layout.proto_files()
    if not sources:
        raise FleetError(f"{layout.proto_root.relative_to(layout.root)} holds no .proto files")
    target.mkdir(parents=True, exist_ok=True)
    run_tool(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"--proto_path={layout.proto_root}",
            f"--proto_path={_well_known_types()}",
            f"--plugin=protoc-gen-mypy={venv_tool('protoc-gen-mypy')}",
            f"--plugin=protoc-gen-mypy_grpc={venv_tool('protoc-gen-mypy_grpc')}",
            f"--python_out={target}",
            f"--grpc_python_out={target}",
            f"--mypy_out={target}",
            f"--mypy_grpc_out={target}",
            *(source.as_posix() for source in sources),
        ],
        what="generating Python code",
        cwd=layout.proto_root,
    )
    for source in sources:
        # The sources travel with the code, so consumers can read and re-use the contracts.
        shutil.copyfile(layout.proto_root / source, target / source)
    topics_package = target.joinpath(*TOPICS_PACKAGE.split("."))
    topics_package.mkdir(parents=True, exist_ok=True)
    (topics_package / "__init__.py").write_text(
        render_topics_module(load_topics(layout.root)), encoding="utf-8"
    )
    _mark_packages(target)
    return _runtime_requirements(target)


def _well_known_types() -> Path:
    """grpcio-tools ships google/protobuf/*.proto next to its protoc."""
    spec = importlib.util.find_spec("grpc_tools")
    if spec is None or spec.origin is None:
        raise FleetError("grpcio-tools is not installed; run scripts/bootstrap.sh")
    return Path(spec.origin).parent / "_proto"


def _mark_packages(target: Path) -> None:
    """Regular packages below the shared `knowledge` namespace, each typed (PEP 561)."""
    namespace = target / "knowledge"
    for top in sorted(path for path in namespace.iterdir() if path.is_dir()):
        (top / "py.typed").touch()
        for package in (top, *sorted(path for path in top.rglob("*") if path.is_dir())):
            (package / "__init__.py").touch()


def _runtime_requirements(target: Path) -> RuntimeRequirements:
    message_code = next(target.rglob("*_pb2.py")).read_text(encoding="utf-8")
    service_code = next(target.rglob("*_pb2_grpc.py")).read_text(encoding="utf-8")
    protobuf = _PROTOBUF_GENCODE.search(message_code)
    grpc = _GRPC_GENCODE.search(service_code)
    if protobuf is None or grpc is None:
        raise FleetError("cannot read the protobuf/grpcio versions the generated code requires")
    major, minor, patch = (int(part) for part in protobuf.groups())
    # Generated code needs a runtime at least as new as the generator, within the same major.
    grpc_major = int(grpc.group(1).split(".")[0])
    return RuntimeRequirements(
        protobuf=f"protobuf>={major}.{minor}.{patch},<{major + 1}",
        grpcio=f"grpcio>={grpc.group(1)},<{grpc_major + 1}",
    )
