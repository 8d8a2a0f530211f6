"""kubectl-validate, built once from the Go module proxy as platform-charts/tools/go.mod pins it,
evaluating custom resources against their CRDs the way the API server does, CEL rules included.

Results are kept per object content for the life of the process, so checking many slightly edited
copies of the charts (the tests) runs the tool only on what changed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from fleet.charts.go_tools import built_go_tool
from fleet.charts.layout import CHARTS_DIR
from fleet.errors import FleetError
from fleet.protos.tools import summarize_output

TOOLS_DIR = "tools"
PINS = ("go.mod", "go.sum")
NATIVE_VERSION = "1.30"
"""The tool insists on a Kubernetes version for built-in kinds; it is only given custom resources
(built-ins are validated against Kubernetes 1.34's schemas elsewhere)."""

Finding = tuple[str, str]
"""(field, message) of one failed rule."""

_results: dict[str, list[Finding]] = {}


def kubectl_validate(root: Path) -> Path:
    """The pinned kubectl-validate, built on first use into the user cache (about 130 MB)."""
    return built_go_tool(
        root / CHARTS_DIR / TOOLS_DIR, PINS, "kubectl-validate", ["install", "tool"]
    )


def validate_custom_resources(
    binary: Path, crd_dir: Path, documents: Sequence[dict[str, Any]]
) -> list[list[Finding]]:
    """What the API server would refuse in each document, in order (an empty list: accepted)."""
    keys = [_key(document) for document in documents]
    pending = {
        key: document for key, document in zip(keys, documents, strict=True) if key not in _results
    }
    if pending:
        _results.update(_run(binary, crd_dir, pending))
    return [_results[key] for key in keys]


def _run(
    binary: Path, crd_dir: Path, documents: dict[str, dict[str, Any]]
) -> dict[str, list[Finding]]:
    with tempfile.TemporaryDirectory(prefix="kubectl-validate-") as scratch:
        files = {}
        for index, (key, document) in enumerate(documents.items()):
            path = Path(scratch) / f"{index:05d}.yaml"
            path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
            files[str(path)] = key
        command = [str(binary), scratch, "--local-crds", str(crd_dir)]
        command += ["--version", NATIVE_VERSION, "--output", "json"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        try:
            report: dict[str, list[dict[str, Any]]] = json.loads(result.stdout)
        except json.JSONDecodeError:
            output = summarize_output(result.stdout + result.stderr)
            raise FleetError(f"kubectl-validate: {output}") from None
    return {files[path]: _findings(statuses) for path, statuses in report.items()}


def _findings(statuses: list[dict[str, Any]]) -> list[Finding]:
    findings: list[Finding] = []
    for status in statuses:
        if status.get("status") == "Success":
            continue
        causes = (status.get("details") or {}).get("causes") or []
        if not causes:
            findings.append(("", str(status.get("message", "refused"))))
        for cause in causes:
            findings.append((str(cause.get("field", "")), str(cause.get("message", ""))))
    return findings


def _key(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
