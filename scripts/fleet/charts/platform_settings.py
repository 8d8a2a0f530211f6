"""Platform-wide defaults the generated values start from; scenarios and releases override them."""

from __future__ import annotations

from typing import Any

NAMESPACE = "knowledge"
TRUST_DOMAIN = "cluster.local"
INGRESS_GATEWAY = {"namespace": "istio-ingress", "serviceAccount": "istio-ingressgateway"}
KAFKA_CLUSTER = "knowledge"
KAFKA_BOOTSTRAP = f"{KAFKA_CLUSTER}-kafka-bootstrap:9093"
KAFKA_CLUSTER_CA_SECRET = f"{KAFKA_CLUSTER}-cluster-ca-cert"
GRPC_WEB_PORT = 8080
JWKS_SERVICE = "ms_auth"
"""The service that owns the signing keys; its http port serves the JWKS the mesh checks tokens with."""
JWKS_PATH = "/.well-known/jwks.json"
JWT_ISSUER = "knowledge-auth"
JWT_AUDIENCE = "knowledge-platform"
"""What ms_auth writes into tokens (the kit's defaults); the mesh and every service check both."""
DNS = {"namespace": "kube-system", "podLabels": {"k8s-app": "kube-dns"}, "port": 53}
CONTROL_PLANE = {"namespace": "istio-system", "podLabels": {"app": "istiod"}, "port": 15012}
"""istiod: the sidecars' configuration and certificates (xDS), and who fetches the JWKS."""
POSTGRES_PORT = 5432
POSTGRES_OPERATOR = {"namespace": "cnpg-system", "port": 8000}
"""CloudNativePG's operator asks each instance for its status on port 8000."""
KUBERNETES_API_PORTS = [443, 6443]
"""Operator-run pods (PostgreSQL instances, Kafka nodes) talk to the API server, which no pod
selector names: these ports, to any address."""
KAFKA_BROKER_LABELS = {"strimzi.io/cluster": KAFKA_CLUSTER, "strimzi.io/broker-role": "true"}
KAFKA_BROKER_PORT = 9093
KAFKA_METRICS = (
    "kafka_controller.*",
    "kafka_log.*",
    "kafka_network.*",
    "kafka_server.*",
    "kafka_cluster_partition.*",
)
"""What Strimzi's metrics reporter exposes: controller, log, request, broker and partition metrics
(under-replicated and offline partitions, request latency, bytes in and out)."""
QDRANT_IMAGE = {"registry": "docker.io", "repository": "qdrant/qdrant", "tag": "v1.20.0"}
"""The Qdrant project's own image, the release qdrant-client 1.20 (ms_vector's) is made for."""
QDRANT_PORTS = {"http": 6333, "grpc": 6334, "p2p": 6335}
"""REST (what qdrant-client speaks by default), gRPC, and the peers' consensus and shard traffic."""
CLICKHOUSE_IMAGE = {
    "registry": "docker.io",
    "repository": "clickhouse/clickhouse-server",
    "tag": "25.8",
}
"""ClickHouse's official server image, pinned to the 25.8 long-term support release."""
CLICKHOUSE_PORTS = {"http": 8123, "native": 9000}
"""HTTP (what clickhouse-connect, ms_activity's client, speaks) and the native protocol."""
REDIS_PORT = 6379
OUTSIDE_THE_CLUSTER = {
    "cidr": "0.0.0.0/0",
    "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
}
"""Public addresses: where a mail server, push services and object storage usually are (a
private one is set through the release's network.egress.external)."""
REACHES: dict[str, dict[str, Any]] = {
    "smtp": {
        "ports": [25, 465, 587],
        "secret": "smtp",
        "settingsFromSecrets": {
            "smtp_password": "password",
            "unsubscribe_secret": "unsubscribe-secret",
        },
        "settings": {},
    },
    "web_push": {
        "ports": [443],
        "secret": "web-push",
        "settingsFromSecrets": {"vapid_private_key": "vapid-private-key"},
        "settings": {},
    },
    "object_storage": {
        "ports": [443],
        "secret": "object-storage",
        "settingsFromSecrets": {
            "s3_access_key_id": "access-key-id",
            "s3_secret_access_key": "secret-access-key",
        },
        "settings": {"artifact_store": "s3"},
    },
}
"""What repos.yaml `reaches` gives a release: the ports it may go out to (OUTSIDE_THE_CLUSTER),
and its settings, credentials from the optional Secret `<service>-<secret>` (absent, the service
runs without: mail and push deliveries wait)."""
JOB_RUNNER_RULES = [
    {
        "apiGroups": ["batch"],
        "resources": ["jobs"],
        "verbs": ["create", "get", "list", "watch", "delete"],
    },
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
]
"""What `reaches: [kubernetes_jobs]` grants the service's ServiceAccount in its namespace: run Jobs,
find their pods, read their logs."""
WEB_RELEASE = "web"
"""The web app's release: its chart, Deployment, Service and ServiceAccount (the identity the
services admit its Server Actions by)."""
WEB_HTTP_PORT = 3000
"""Where the web app's Node server (`next start`, standalone) listens."""
WEB_GRPC_ENTRANCE = {"service": "web-grpc", "port": 50050}
"""The one gRPC address the web app's Server Actions call (KNOWLEDGE_GRPC_TARGET): a Service
without pods whose in-mesh routes send each gRPC service's calls to the service serving it."""
WEB_HEALTH_PATH = "/healthz"
WEB_RESPONSE_HEADERS = {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}
"""What the ingress adds to the web app's responses: the app sends its Content-Security-Policy,
X-Content-Type-Options, X-Frame-Options and Referrer-Policy itself (next.config.mjs), but not
HSTS, which belongs to whoever terminates TLS."""
SCRATCH: dict[str, dict[str, Any]] = {
    "ms_ml": {
        "sizeLimit": "20Gi",
        "mountPath": "/scratch",
        "settings": {"training_work_dir": "training", "artifact_cache_dir": "artifact-cache"},
    },
    "ms_vector": {
        "sizeLimit": "4Gi",
        "mountPath": "/scratch",
        "settings": {"model_cache_dir": "models"},
    },
}
"""Services that write more than the 256Mi /tmp holds: ms_ml its training jobs' work directories
and the verified copies of artifacts it loads from object storage, ms_vector the embedder
versions it downloads from ms_ml. A scratch volume each, on the node's disk, gone with the pod."""
SERVICE_ACCOUNT_SECRET_KEY = "secret"
"""A service account's secret (`fleet.service_accounts`) is in Secret `<service>-service-account`
under this key, read by the service and by ms_auth, which provisions the account."""
OTEL_COLLECTOR = {
    "namespace": "observability",
    "podLabels": {"app.kubernetes.io/name": "opentelemetry-collector"},
    "port": 4317,
}
"""The OpenTelemetry collector (its OTLP/gRPC port) the services and their sidecars send spans to."""
OTEL_COLLECTOR_ENDPOINT = "http://opentelemetry-collector.observability.svc.cluster.local:4317"
METRICS_SCRAPER = {"namespace": "monitoring", "podLabels": {"app.kubernetes.io/name": "prometheus"}}
"""Prometheus (the Prometheus operator's), which scrapes the services' and the sidecars' metrics."""
ENVOY_METRICS_PORT = 15090
"""The sidecar's Prometheus port (`http-envoy-prom`, Envoy's own statistics)."""
DEAD_LETTER_PARTITIONS = 3
DEAD_LETTER_RETENTION_HOURS = 720

SERVICE_DEFAULTS: dict[str, Any] = {
    "autoscaling": {"minReplicas": 2, "maxReplicas": 6, "targetCPUUtilizationPercentage": 70},
    "disruptionBudget": {"maxUnavailable": 1},
    "scheduling": {
        "nodeSelector": {},
        "tolerations": [],
        "affinity": {},
        "topologySpread": [
            {
                "topologyKey": "topology.kubernetes.io/zone",
                "maxSkew": 1,
                "whenUnsatisfiable": "ScheduleAnyway",
            },
            {
                "topologyKey": "kubernetes.io/hostname",
                "maxSkew": 1,
                "whenUnsatisfiable": "ScheduleAnyway",
            },
        ],
    },
    "resources": {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    },
    "traffic": {
        "timeout": "15s",
        "streamTimeout": "3600s",
        "retries": {
            "attempts": 2,
            "perTryTimeout": "5s",
            "retryOn": "unavailable,connect-failure,refused-stream",
        },
        "connectionPool": {
            "maxConnections": 256,
            "connectTimeout": "2s",
            "http2MaxRequests": 1024,
            "maxRequestsPerConnection": 0,
            "idleTimeout": "300s",
        },
        "outlierDetection": {
            "consecutive5xxErrors": 5,
            "interval": "10s",
            "baseEjectionTime": "30s",
            "maxEjectionPercent": 50,
        },
    },
}
