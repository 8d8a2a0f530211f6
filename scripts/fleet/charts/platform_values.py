"""The values of the platform-wide charts (Kafka, mesh, Qdrant, ClickHouse), derived from the whole fleet."""

from __future__ import annotations

import copy
from typing import Any

from fleet.charts import platform_settings as settings
from fleet.charts.caller_methods import public_method_paths
from fleet.charts.grpc_contracts import GrpcService
from fleet.charts.layout import clickhouse_name, kubernetes_name, qdrant_name
from fleet.charts.service_values import clickhouse_account, jwt_values, kafka_user
from fleet.edge.routes import browser_routes
from fleet.manifest import Manifest
from fleet.topics import TopicCatalogue


def kafka_values(manifest: Manifest, catalogue: TopicCatalogue) -> dict[str, Any]:
    """The cluster, every catalogued topic plus each consumer's dead-letter topic, one user each."""
    topics: list[dict[str, Any]] = [
        {
            "name": name,
            "owner": topic.owner,
            "partitions": topic.partitions,
            "retentionHours": topic.retention_hours,
        }
        for name, topic in sorted(catalogue.topics.items())
    ]
    users: list[dict[str, Any]] = []
    for service in manifest.services:
        values = kafka_user(service)
        if values is None:
            continue
        users.append(values)
        if values["deadLetterTopic"]:
            topics.append(
                {
                    "name": values["deadLetterTopic"],
                    "owner": service.name,
                    "partitions": settings.DEAD_LETTER_PARTITIONS,
                    "retentionHours": settings.DEAD_LETTER_RETENTION_HOURS,
                }
            )
    return {
        "cluster": {
            "name": settings.KAFKA_CLUSTER,
            "replicationFactor": 3,
            "minInSyncReplicas": 2,
            "storageClass": "",
            "nodePools": {
                "brokers": _node_pool(3, "broker", "100Gi", ("500m", "2Gi"), ("2", "4Gi")),
                "controllers": _node_pool(3, "controller", "10Gi", ("250m", "1Gi"), ("1", "2Gi")),
            },
        },
        "network": {
            "dns": dict(settings.DNS),
            "kubernetesApiPorts": list(settings.KUBERNETES_API_PORTS),
        },
        # The brokers' and controllers' metrics (Strimzi's metrics reporter on port 9404), scraped
        # through a PodMonitor when the Prometheus operator is there.
        "metrics": {"allowList": list(settings.KAFKA_METRICS), "podMonitor": "auto"},
        "topics": topics,
        "users": users,
    }


def qdrant_values(manifest: Manifest) -> dict[str, Any]:
    """One Qdrant per service that lists `qdrant` in its stores, reachable by that service only;
    three replicas keeping each shard twice, so one may be drained or lost."""
    return {
        "image": {**settings.QDRANT_IMAGE, "pullPolicy": "IfNotPresent"},
        "cluster": {
            "replicas": 3,
            "replicationFactor": 2,
            "storageClass": "",
            "storageSize": "20Gi",
            "snapshotsSize": "20Gi",
            "resources": {
                "requests": {"cpu": "500m", "memory": "1Gi"},
                "limits": {"cpu": "2", "memory": "4Gi"},
            },
        },
        "disruptionBudget": {"maxUnavailable": 1},
        "ports": dict(settings.QDRANT_PORTS),
        "mesh": {"trustDomain": settings.TRUST_DOMAIN},
        "network": {
            "dns": dict(settings.DNS),
            "controlPlane": dict(settings.CONTROL_PLANE),
        },
        "instances": [
            {
                "name": qdrant_name(service.name),
                "client": kubernetes_name(service.name),
                "apiKeySecret": {"name": qdrant_name(service.name), "key": "api-key"},
            }
            for service in manifest.services
            if "qdrant" in service.stores
        ],
    }


def clickhouse_values(manifest: Manifest) -> dict[str, Any]:
    """One ClickHouse per service that lists `clickhouse` in its stores, reachable by that service
    only; a single server (a replicated ClickHouse, Keeper and ReplicatedMergeTree, is not set up)."""
    return {
        "image": {**settings.CLICKHOUSE_IMAGE, "pullPolicy": "IfNotPresent"},
        "server": {
            "replicas": 1,
            "storageClass": "",
            "storageSize": "50Gi",
            "resources": {
                "requests": {"cpu": "500m", "memory": "2Gi"},
                "limits": {"cpu": "2", "memory": "4Gi"},
            },
        },
        "disruptionBudget": {"maxUnavailable": 1},
        "ports": dict(settings.CLICKHOUSE_PORTS),
        "mesh": {"trustDomain": settings.TRUST_DOMAIN},
        "network": {
            "dns": dict(settings.DNS),
            "controlPlane": dict(settings.CONTROL_PLANE),
        },
        "instances": [
            {
                "name": clickhouse_name(service.name),
                "client": kubernetes_name(service.name),
                **clickhouse_account(service),
                "passwordSecret": {"name": clickhouse_name(service.name), "key": "password"},
            }
            for service in manifest.services
            if "clickhouse" in service.stores
        ],
    }


def postgres_values(manifest: Manifest) -> dict[str, Any]:
    """One CloudNativePG Cluster per service with a database, named as its release expects
    (`<service>-postgres`), the database and its owner the service's."""
    return {
        "cluster": {
            "instances": 3,
            "imageName": "",
            "storageClass": "",
            "storageSize": "20Gi",
            "resources": {
                "requests": {"cpu": "250m", "memory": "512Mi"},
                "limits": {"cpu": "2", "memory": "2Gi"},
            },
        },
        "network": {
            "operator": dict(settings.POSTGRES_OPERATOR),
            "dns": dict(settings.DNS),
            "kubernetesApiPorts": list(settings.KUBERNETES_API_PORTS),
            "postgresPort": settings.POSTGRES_PORT,
        },
        "databases": [
            {
                "name": f"{kubernetes_name(service.name)}-postgres",
                "database": service.database,
                "owner": service.name,
            }
            for service in manifest.services
            if service.database is not None
        ],
    }


def mesh_values(manifest: Manifest, contracts: dict[str, list[GrpcService]]) -> dict[str, Any]:
    """The ingress routes of the browser route table, and JWT validation against the JWKS."""
    table = browser_routes(manifest, contracts)
    jwt = jwt_values(manifest)
    websockets = {route.service: route for route in table.websockets}
    routes: list[dict[str, Any]] = []
    for grpc_web in table.grpc_web:
        websocket = websockets.get(grpc_web.service)
        routes.append(
            {
                "service": kubernetes_name(grpc_web.service),
                "grpcWebPort": settings.GRPC_WEB_PORT,
                "grpcServices": list(grpc_web.grpc_services),
                "streamingMethods": list(grpc_web.streaming_methods),
                "websocket": None
                if websocket is None
                else {
                    "port": websocket.port,
                    "pathPrefix": websocket.path_prefix,
                    "rewrite": websocket.rewrite,
                },
            }
        )
    traffic = settings.SERVICE_DEFAULTS["traffic"]
    return {
        "host": "knowledge.example.com",
        "tls": {"credentialName": "knowledge-platform-tls"},
        "ingressGateway": {
            **settings.INGRESS_GATEWAY,
            "selector": {"istio": "ingressgateway"},
            # Istio's gateway chart: its pods listen on the Service's ports (an istioctl install
            # maps 443 to 8443 and 80 to 8080: set targetPort so).
            "https": {"port": 443, "targetPort": 443},
            "http": {"port": 80, "targetPort": 80},
        },
        "cors": {"allowOrigins": ["https://knowledge.example.com"], "maxAge": "24h"},
        "jwt": {**jwt, "queryParameter": "access_token"},
        # The ingress refuses gRPC-web calls without a valid token, except to these.
        "publicMethods": public_method_paths(manifest, contracts),
        # Istio's telemetry in the namespace: Envoy's access log to the sidecars' stdout, and
        # traces to the OpenTelemetry collector istiod knows as this extension provider.
        "telemetry": {
            "accessLogProvider": "envoy",
            "tracingProvider": "otel-tracing",
            "samplingPercentage": 10,
        },
        "timeouts": {"request": traffic["timeout"], "stream": traffic["streamTimeout"]},
        "retries": dict(traffic["retries"]),
        "routes": routes,
        # Last: every path no route above claims (pages, Server Actions, /_next/ assets).
        "page": {
            "service": settings.WEB_RELEASE,
            "port": settings.WEB_HTTP_PORT,
            "responseHeaders": dict(settings.WEB_RESPONSE_HEADERS),
        },
    }


def web_values(manifest: Manifest, contracts: dict[str, list[GrpcService]]) -> dict[str, Any]:
    """The web app's release: its Node server behind the ingress, and the gRPC services its Server
    Actions call, each at the service serving it (every browser-facing service's, the same a
    browser may call through the ingress)."""
    defaults = settings.SERVICE_DEFAULTS
    traffic = defaults["traffic"]
    services = [
        {
            "service": kubernetes_name(service.name),
            "port": service.ports.grpc,
            "grpcServices": sorted(grpc.full_name for grpc in contracts.get(service.name, ())),
        }
        for service in manifest.services
        if service.browser
    ]
    return {
        "image": {
            "registry": "",
            "repository": f"knowledge/{settings.WEB_RELEASE}",
            "tag": "",
            "digest": "",
            "pullPolicy": "IfNotPresent",
            "pullSecrets": [],
        },
        "autoscaling": dict(defaults["autoscaling"]),
        "disruptionBudget": dict(defaults["disruptionBudget"]),
        "resources": {
            "requests": {"cpu": "100m", "memory": "256Mi"},
            "limits": {"cpu": "1", "memory": "1Gi"},
        },
        "scheduling": copy.deepcopy(defaults["scheduling"]),
        "ports": {"http": settings.WEB_HTTP_PORT},
        "healthPath": settings.WEB_HEALTH_PATH,
        "grpcEntrance": dict(settings.WEB_GRPC_ENTRANCE),
        "mesh": {
            "trustDomain": settings.TRUST_DOMAIN,
            "ingressGateway": dict(settings.INGRESS_GATEWAY),
        },
        "traffic": copy.deepcopy(traffic),
        "telemetry": {
            "scraper": copy.deepcopy(settings.METRICS_SCRAPER),
            "envoyMetricsPort": settings.ENVOY_METRICS_PORT,
        },
        "network": {
            "egress": {
                "dns": copy.deepcopy(settings.DNS),
                "controlPlane": copy.deepcopy(settings.CONTROL_PLANE),
                "telemetry": copy.deepcopy(settings.OTEL_COLLECTOR),
            },
        },
        "services": services,
    }


def _node_pool(
    replicas: int, role: str, storage: str, requests: tuple[str, str], limits: tuple[str, str]
) -> dict[str, Any]:
    return {
        "replicas": replicas,
        "roles": [role],
        "storageSize": storage,
        "resources": {
            "requests": {"cpu": requests[0], "memory": requests[1]},
            "limits": {"cpu": limits[0], "memory": limits[1]},
        },
    }
