"""A new service's first contract: the template's worked example, as `knowledge.<name>.v1`.

Contracts come first on this platform: every service's gRPC API lives in the proto registry,
and the charts authorise and route by it. A service stamped without one gets the worked
example's notes contract in its own package and VERSION the next minor release, as any
compatible addition; replacing the notes before that release is published costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.protos.gate import (
    bump_version,
    changes_since_last_release,
    check_version,
    require_lint_clean,
)
from fleet.protos.layout import RegistryLayout
from fleet.protos.semver import Bump, read_version
from fleet.template_ops.git import git

EXAMPLE_PROTO = "template/project/proto/example_api/v1/example.proto"
EXAMPLE_PACKAGE = "knowledge.template_example.v1"
CONTRACT_FILE = "note_service.proto"
_PACKAGE_LINE = re.compile(r"^package[ \t]+([\w.]+)[ \t]*;[ \t]*$", re.MULTILINE)
_LEADING_COMMENTS = re.compile(r"\A(?:[ \t]*//[^\n]*\n)+")


def contract_package(service: str) -> str:
    """The package a service's contracts live in: ms_billing -> knowledge.billing.v1."""
    return f"knowledge.{service.removeprefix('ms_')}.v1"


def contract_dir(layout: RegistryLayout, service: str) -> Path:
    """Where the registry keeps the service's first major version: knowledge/<name>/v1/."""
    return layout.proto_root / "knowledge" / service.removeprefix("ms_") / "v1"


def starter_contract(example: str, service: str) -> str:
    """The worked example's contract text, moved into the service's own package."""
    packages = _PACKAGE_LINE.findall(example)
    if packages != [EXAMPLE_PACKAGE]:
        raise FleetError(
            f"{EXAMPLE_PROTO} must declare `package {EXAMPLE_PACKAGE};` once to be a starter "
            f"contract (found: {', '.join(packages) or 'none'})"
        )
    header = (
        f"// The starter contract of {service}, written by `fleet new` from the template's worked\n"
        "// example (notes). Replace the notes with the service's own resources before the first\n"
        "// `fleet protos publish`: once released, removing them is a breaking change.\n"
    )
    body = _LEADING_COMMENTS.sub("", example, count=1)
    return header + _PACKAGE_LINE.sub(f"package {contract_package(service)};", body, count=1)


@dataclass(frozen=True)
class StarterContract:
    """The contract `fleet new` added, and the registry version that will release it."""

    path: Path
    package: str
    registry_version: str


def add_starter_contract(root: Path, version: str, service: str) -> StarterContract:
    """Write template release `version`'s example as `service`'s contract, lint it, and make
    VERSION at least the next minor release (a new package is a compatible addition); an
    already larger pending bump stays."""
    layout = RegistryLayout(root)
    require_lint_clean(layout)
    example = git("show", f"{version}:{EXAMPLE_PROTO}", cwd=root)
    target = contract_dir(layout, service) / CONTRACT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_contract(example, service), encoding="utf-8")
    try:
        require_lint_clean(layout)
    except FleetError as problem:
        raise FleetError(
            f"the worked example of template {version} is not a lint-clean contract "
            f"({problem}); stamp a newer release"
        ) from None
    changes = changes_since_last_release(layout)
    if changes.since is not None:
        pending = read_version(layout.version_file).bump_from(changes.since.version)
        if pending < Bump.MINOR:
            bump_version(layout, Bump.MINOR)
    registry_version, _ = check_version(layout)
    return StarterContract(target, contract_package(service), str(registry_version))
