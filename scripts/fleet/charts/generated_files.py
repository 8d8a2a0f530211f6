"""The chart files `fleet charts generate` owns: written from repos.yaml, never edited by hand.

Hand-written: the library chart, the mesh, kafka, qdrant, clickhouse, postgres and web templates
and schemas, the scenarios.
Generated: every service chart, and the values of the mesh, kafka, qdrant, clickhouse, postgres
and web charts.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from fleet.charts.grpc_contracts import load_grpc_services
from fleet.charts.layout import (
    CHARTS_DIR,
    CLICKHOUSE_CHART,
    GENERATED_NOTICE,
    KAFKA_CHART,
    LIBRARY_CHART,
    MESH_CHART,
    POSTGRES_CHART,
    QDRANT_CHART,
    SERVICE_VALUES_SCHEMA,
    SERVICES_DIR,
    WEB_CHART,
    kubernetes_name,
    service_chart_dir,
)
from fleet.charts.platform_settings import JWKS_SERVICE
from fleet.charts.platform_values import (
    clickhouse_values,
    kafka_values,
    mesh_values,
    postgres_values,
    qdrant_values,
    web_values,
)
from fleet.charts.service_values import jwt_values, provisioned_service_accounts, service_values
from fleet.manifest import Service, load_manifest
from fleet.topics import load_topics

CHART_VERSION = "1.0.0"
APP_VERSION = "0.1.0"
"""The default image tag; each release pins the service's own version with --set image.tag."""
RELEASE_TEMPLATE = (
    f'{{{{- /* {GENERATED_NOTICE} */ -}}}}\n{{{{ include "{LIBRARY_CHART}.service.release" . }}}}\n'
)


def expected_files(root: Path) -> dict[Path, str]:
    """Every generated file (relative to platform-charts/) and the text it must have."""
    manifest = load_manifest(root)
    contracts = load_grpc_services(root)
    schema = (root / CHARTS_DIR / SERVICE_VALUES_SCHEMA).read_text(encoding="utf-8")
    jwt = jwt_values(manifest)
    files: dict[Path, str] = {}
    for service in manifest.services:
        chart = service_chart_dir(service.name)
        calls = [
            callee
            for callee in manifest.services
            if service.name in callee.callers and callee.name != service.name
        ]
        provisioned = provisioned_service_accounts(manifest) if service.name == JWKS_SERVICE else []
        values = service_values(service, contracts.get(service.name, []), jwt, calls, provisioned)
        files[chart / "Chart.yaml"] = _yaml(_service_chart(service))
        files[chart / "values.yaml"] = _yaml(values)
        files[chart / "values.schema.json"] = schema
        files[chart / "templates" / "release.yaml"] = RELEASE_TEMPLATE
    files[Path(MESH_CHART) / "values.yaml"] = _yaml(mesh_values(manifest, contracts))
    files[Path(KAFKA_CHART) / "values.yaml"] = _yaml(kafka_values(manifest, load_topics(root)))
    files[Path(QDRANT_CHART) / "values.yaml"] = _yaml(qdrant_values(manifest))
    files[Path(CLICKHOUSE_CHART) / "values.yaml"] = _yaml(clickhouse_values(manifest))
    files[Path(POSTGRES_CHART) / "values.yaml"] = _yaml(postgres_values(manifest))
    files[Path(WEB_CHART) / "values.yaml"] = _yaml(web_values(manifest, contracts))
    return files


def drifted_files(root: Path) -> list[str]:
    """Generated files that differ from what repos.yaml generates, or should not exist."""
    charts = root / CHARTS_DIR
    expected = expected_files(root)
    drifted = [
        f"{CHARTS_DIR / path} "
        + (
            "is missing"
            if not (charts / path).is_file()
            else "differs from what repos.yaml generates"
        )
        for path, text in sorted(expected.items())
        if not (charts / path).is_file() or (charts / path).read_text(encoding="utf-8") != text
    ]
    drifted += [
        f"{CHARTS_DIR / directory} is a service chart for no service in repos.yaml"
        for directory in _stale_service_charts(charts, expected)
    ]
    return drifted


def write_generated_files(root: Path) -> list[Path]:
    """Write every generated file, remove service charts of removed services; return what changed."""
    charts = root / CHARTS_DIR
    expected = expected_files(root)
    changed: list[Path] = []
    for directory in _stale_service_charts(charts, expected):
        shutil.rmtree(charts / directory)
        changed.append(directory)
    for path, text in sorted(expected.items()):
        target = charts / path
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        changed.append(path)
    return changed


def _stale_service_charts(charts: Path, expected: dict[Path, str]) -> list[Path]:
    wanted = {path.parts[1] for path in expected if path.parts[0] == SERVICES_DIR}
    services = charts / SERVICES_DIR
    if not services.is_dir():
        return []
    return [
        Path(SERVICES_DIR) / entry.name
        for entry in sorted(services.iterdir())
        if entry.is_dir() and entry.name not in wanted
    ]


def _service_chart(service: Service) -> dict[str, Any]:
    return {
        "apiVersion": "v2",
        "name": kubernetes_name(service.name),
        "description": service.description,
        "type": "application",
        "version": CHART_VERSION,
        "appVersion": APP_VERSION,
        "home": "https://knowledge-platform.invalid/platform-charts",
        "maintainers": [{"name": service.owner}],
        "annotations": {"knowledge-platform/service": service.name},
        "dependencies": [
            {
                "name": LIBRARY_CHART,
                "version": CHART_VERSION,
                "repository": f"file://../../{LIBRARY_CHART}",
            }
        ],
    }


def _yaml(data: dict[str, Any]) -> str:
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=100)
    return f"# {GENERATED_NOTICE}\n{body}"
