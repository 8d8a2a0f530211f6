"""Where the charts live and what Kubernetes calls each service."""

from __future__ import annotations

from pathlib import Path

CHARTS_DIR = Path("platform-charts")
LIBRARY_CHART = "platform-lib"
MESH_CHART = "mesh"
KAFKA_CHART = "kafka"
QDRANT_CHART = "qdrant"
CLICKHOUSE_CHART = "clickhouse"
POSTGRES_CHART = "postgres"
WEB_CHART = "web"
SERVICES_DIR = "services"
SCENARIOS_DIR = "scenarios"
GOLDEN_DIR = "golden"
SCHEMAS_DIR = "schemas"
SERVICE_VALUES_SCHEMA = Path(LIBRARY_CHART) / "service-values.schema.json"
GENERATED_NOTICE = (
    "Generated from repos.yaml and the proto registry by `fleet charts generate`; do not edit."
)


def kubernetes_name(service: str) -> str:
    """Kubernetes names allow no underscores: ms_auth becomes ms-auth (chart, workload, account)."""
    return service.replace("_", "-")


def qdrant_name(service: str) -> str:
    """A service's Qdrant in the qdrant release (ms-vector-qdrant): its StatefulSet, Service,
    ServiceAccount, and the Secret holding its API key."""
    return f"{kubernetes_name(service)}-qdrant"


def clickhouse_name(service: str) -> str:
    """A service's ClickHouse in the clickhouse release (ms-activity-clickhouse): its StatefulSet,
    Service, ServiceAccount, and the Secret holding its user's password."""
    return f"{kubernetes_name(service)}-clickhouse"


def service_chart_dir(service: str) -> Path:
    """A service chart's directory, relative to platform-charts/."""
    return Path(SERVICES_DIR) / kubernetes_name(service)
