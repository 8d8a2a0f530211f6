"""The TypeScript and Go stubs are generated and compiled, and a consumer of every service compiles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fleet.errors import FleetError
from fleet.protos.go_module import build_go, go_module_path
from fleet.protos.layout import RegistryLayout
from fleet.protos.tools import run_tool, system_tool
from fleet.protos.typescript_package import (
    COMPILER_OPTIONS,
    build_typescript,
    compile_typescript,
)

from .conftest import copy_registry, edit_contract, released

SERVICE = re.compile(r"^service (\w+) \{", re.MULTILINE)


def services(layout: RegistryLayout) -> list[tuple[Path, str]]:
    """(.proto file relative to the proto root, service name) for every service."""
    return [
        (path, name)
        for path in layout.proto_files()
        for name in SERVICE.findall((layout.proto_root / path).read_text())
    ]


def typescript_consumer(layout: RegistryLayout) -> str:
    """A browser client of every service over gRPC-web, type-checked against the stubs."""
    lines = [
        'import { createClient } from "@connectrpc/connect";',
        'import { createGrpcWebTransport } from "@connectrpc/connect-web";',
        'import { create } from "@bufbuild/protobuf";',
        'import { DocumentSchema } from "../src/knowledge/knowledge/v1/document_pb.js";',
    ]
    for path, name in services(layout):
        module = path.with_suffix("").as_posix() + "_pb.js"
        lines.append(f'import {{ {name} }} from "../src/{module}";')
    lines.append('const transport = createGrpcWebTransport({ baseUrl: "http://127.0.0.1:8080" });')
    for _, name in services(layout):
        lines.append(f"export const {name[0].lower()}{name[1:]} = createClient({name}, transport);")
    lines += [
        'const document = create(DocumentSchema, { name: "spaces/s/documents/d", revision: 2n });',
        "export const saved: Promise<{ document?: { etag: string } }> =",
        "  documentService.updateDocument({ document, updateMask: { paths: ['title'] } });",
    ]
    return "\n".join(lines) + "\n"


def go_consumer(layout: RegistryLayout) -> str:
    """A Go program that builds a client of every service."""
    module = go_module_path(layout)
    imports = sorted({path.parent.as_posix() for path, _ in services(layout)})
    aliases = {directory: f"p{index}" for index, directory in enumerate(imports)}
    lines = [
        "package main",
        "",
        "import (",
        '\t"google.golang.org/grpc"',
        '\t"google.golang.org/grpc/credentials/insecure"',
        *(f'\t{aliases[directory]} "{module}/{directory}"' for directory in imports),
        ")",
        "",
        "func main() {",
        '\tconn, err := grpc.NewClient("127.0.0.1:50051", grpc.WithTransportCredentials(insecure.NewCredentials()))',
        "\tif err != nil {",
        "\t\tpanic(err)",
        "\t}",
        "\tdefer conn.Close()",
    ]
    for path, name in services(layout):
        lines.append(f"\t_ = {aliases[path.parent.as_posix()]}.New{name}Client(conn)")
    lines.append("}")
    return "\n".join(lines) + "\n"


def test_typescript_stubs_compile_and_serve_a_grpc_web_client_of_every_service(
    tmp_path: Path,
) -> None:
    registry_copy = copy_registry(tmp_path)
    package = build_typescript(registry_copy, tmp_path / "typescript")
    assert json.loads((package / "package.json").read_text())["version"] == str(
        released(registry_copy)
    )
    assert (package / "dist" / "knowledge" / "common" / "v1" / "event_envelope_pb.d.ts").is_file()
    check = package / "check"
    check.mkdir()
    (check / "clients.ts").write_text(typescript_consumer(registry_copy))
    options = {**COMPILER_OPTIONS, "noEmit": True, "rootDir": "."}
    config = {"compilerOptions": options, "include": ["src", "check"]}
    (package / "tsconfig.check.json").write_text(json.dumps(config))
    compile_typescript(registry_copy, package / "tsconfig.check.json")
    (check / "clients.ts").write_text(
        typescript_consumer(registry_copy).replace("updateMask", "updateMasks")
    )
    with pytest.raises(FleetError, match=r"tsc: .*updateMasks"):
        compile_typescript(registry_copy, package / "tsconfig.check.json")


def test_go_stubs_build_and_a_client_of_every_service_compiles(tmp_path: Path) -> None:
    registry_copy = copy_registry(tmp_path)
    module = build_go(registry_copy, tmp_path / "go")
    assert (module / "knowledge" / "auth" / "v1" / "auth_service_grpc.pb.go").is_file()
    (module / "cmd" / "clients").mkdir(parents=True)
    (module / "cmd" / "clients" / "main.go").write_text(go_consumer(registry_copy))
    go = system_tool("go", "to build the Go stubs")
    run_tool([go, "build", "./..."], what="go build", cwd=module)


def test_a_broken_contract_fails_the_build_with_the_compiler_message(tmp_path: Path) -> None:
    registry_copy = copy_registry(tmp_path)
    edit_contract(
        registry_copy, "knowledge/auth/v1/user.proto", "string email = 2;", "Email email = 2;"
    )
    with pytest.raises(FleetError, match=r"generating Go code: .*user\.proto.*Email"):
        build_go(registry_copy, tmp_path / "go")
