"""The published wheel installs into a fresh virtual environment, and every module imports."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

from fleet.protos.package_index import simple_url
from fleet.protos.publishing import publish

from .conftest import copy_registry

IMPORT_EVERY_MODULE = """
import importlib, pathlib, knowledge.common
root = pathlib.Path(knowledge.common.__file__).parents[1]
names = sorted(
    ".".join(path.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__")
    for path in root.rglob("*.py")
)
for name in names:
    importlib.import_module(name)
print(len(names), sum(1 for _ in root.rglob("*.proto")), sum(1 for _ in root.rglob("*.pyi")))
"""

TYPED_CONSUMER = """
import grpc
from knowledge.knowledge.v1 import document_service_pb2, document_service_pb2_grpc
from knowledge.topics import KNOWLEDGE_DOCUMENTS_V1


def fetch(channel: grpc.Channel, name: str) -> str:
    stub = document_service_pb2_grpc.DocumentServiceStub(channel)
    response = stub.GetDocument(document_service_pb2.GetDocumentRequest(name=name))
    return response.document.title + KNOWLEDGE_DOCUMENTS_V1.name
"""


def pip(target: Path, *args: str) -> None:
    """pip of the fleet's environment, installing into `target` (no pip inside it needed)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(target / "bin" / "python"),
            "install",
            "-q",
            *args,
        ],
        check=True,
    )


def test_the_wheel_installs_from_the_local_index_into_a_fresh_venv(tmp_path: Path) -> None:
    registry_copy = copy_registry(tmp_path)
    publish(registry_copy, lambda message: None)
    environment = tmp_path / "consumer"
    venv.create(environment, with_pip=False)
    pip(
        environment,
        "--no-deps",
        "--index-url",
        simple_url(registry_copy.index),
        "knowledge-protos==1.*",
    )
    # knowledge-protos is satisfied now; this adds its dependencies and the typing extra.
    pip(environment, "knowledge-protos[typing]==1.*", "mypy")
    python = str(environment / "bin" / "python")
    counts = subprocess.run(
        [python, "-c", IMPORT_EVERY_MODULE], capture_output=True, text=True, check=True
    ).stdout.split()
    proto_files = len(registry_copy.proto_files())
    modules, protos, stubs = (int(count) for count in counts)
    # Per .proto file: _pb2 and _pb2_grpc modules and their stubs; plus the packages and topics.
    assert protos == proto_files
    assert stubs == 2 * proto_files
    assert modules > 2 * proto_files
    consumer = tmp_path / "consumer_code.py"
    consumer.write_text(TYPED_CONSUMER)
    typed = subprocess.run(
        [python, "-m", "mypy", "--strict", "--no-incremental", str(consumer)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert typed.returncode == 0, typed.stdout
