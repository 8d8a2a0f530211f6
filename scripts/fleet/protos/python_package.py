"""The knowledge-protos wheel: generated Python code, typed stubs, the sources and the topics."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fleet.protos.layout import DISTRIBUTION, RegistryLayout
from fleet.protos.python_codegen import generate_python_package
from fleet.protos.semver import read_version
from fleet.protos.wheel import WheelMetadata, write_wheel

REQUIRES_PYTHON = ">=3.11"
TYPING_EXTRA = ("types-protobuf", "types-grpcio")
"""Installed with `knowledge-protos[typing]` by projects that type-check against the stubs."""

_DESCRIPTION = """\
# knowledge-protos

Every gRPC contract and Kafka event payload of the knowledge platform, generated from the proto
registry: `knowledge.<service>.v1` modules (`*_pb2.py`, `*_pb2.pyi`, `*_pb2_grpc.py`,
`*_pb2_grpc.pyi`), the `.proto` sources next to them, and `knowledge.topics`, every Kafka topic
with the event types that travel on it.
"""


def build_wheel(layout: RegistryLayout) -> Path:
    """Generate the code for the registry's VERSION and write the wheel under the build directory."""
    version = read_version(layout.version_file)
    with tempfile.TemporaryDirectory(prefix="knowledge-protos-") as staging:
        package_root = Path(staging)
        runtime = generate_python_package(layout, package_root)
        metadata = WheelMetadata(
            name=DISTRIBUTION,
            version=str(version),
            summary="The knowledge platform's gRPC contracts and event payloads.",
            requires_python=REQUIRES_PYTHON,
            requires=(runtime.protobuf, runtime.grpcio),
            extras={"typing": TYPING_EXTRA},
            description=_DESCRIPTION,
        )
        return write_wheel(package_root, metadata, layout.build / "python")
