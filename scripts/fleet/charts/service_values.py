"""The values of one service chart, derived from its repos.yaml entry and its gRPC contracts."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from fleet.charts import platform_settings as settings
from fleet.charts.caller_methods import caller_method_paths
from fleet.charts.grpc_contracts import GrpcService
from fleet.charts.layout import clickhouse_name, kubernetes_name, qdrant_name
from fleet.errors import FleetError
from fleet.manifest import INGRESS, Manifest, Service
from fleet.service_accounts import ACCOUNTS, account_of
from fleet.topics import dead_letter_topic


def service_values(
    service: Service,
    contracts: list[GrpcService],
    jwt: dict[str, Any],
    calls: Sequence[Service] = (),
    provisioned: Sequence[dict[str, str]] = (),
) -> dict[str, Any]:
    """Everything a service's release needs to know, in the order a reader scans it; `calls`
    are the services that list this one among their callers, `provisioned` the service accounts
    it provisions (ms_auth: `provisioned_service_accounts`)."""
    if not contracts:
        raise FleetError(
            f"{service.name} declares no gRPC service in proto-registry/proto "
            f"(expected package knowledge.{service.name.removeprefix('ms_')}.v1 with a service)"
        )
    name = kubernetes_name(service.name)
    defaults = copy.deepcopy(settings.SERVICE_DEFAULTS)
    return {
        "serviceName": service.name,
        "image": {
            "registry": "",
            "repository": f"knowledge/{name}",
            "tag": "",
            "digest": "",
            "pullPolicy": "IfNotPresent",
            "pullSecrets": [],
        },
        "autoscaling": defaults["autoscaling"],
        "disruptionBudget": defaults["disruptionBudget"],
        "resources": defaults["resources"],
        "scheduling": defaults["scheduling"],
        "ports": _ports(service),
        "browser": service.browser,
        "grpc": {
            "services": [contract.full_name for contract in contracts],
            "streamingMethods": [
                contract.method_path(method)
                for contract in contracts
                for method in contract.streaming_methods
            ],
        },
        "authorization": {
            # A browser-facing service is also called by the web app's Server Actions, with the
            # signed-in user's token, as browsers call it through the ingress.
            "callers": [kubernetes_name(c) for c in service.callers if c != INGRESS]
            + ([settings.WEB_RELEASE] if service.browser else []),
            "callerMethods": {
                kubernetes_name(caller): paths
                for caller, paths in caller_method_paths(service, contracts).items()
            },
            "ingress": INGRESS in service.callers,
            "publicHttpPaths": [settings.JWKS_PATH]
            if service.name == settings.JWKS_SERVICE
            else [],
        },
        "mesh": {
            "trustDomain": settings.TRUST_DOMAIN,
            "ingressGateway": dict(settings.INGRESS_GATEWAY),
        },
        "traffic": defaults["traffic"],
        "telemetry": {
            "tracesEndpoint": settings.OTEL_COLLECTOR_ENDPOINT,
            "podMonitor": "auto",
            "scraper": copy.deepcopy(settings.METRICS_SCRAPER),
            "envoyMetricsPort": settings.ENVOY_METRICS_PORT,
        },
        "database": _database(service),
        "kafka": _kafka(service),
        "stores": _stores(service),
        "network": _network(service, calls),
        "jwt": dict(jwt),
        "kubernetesAccess": {
            "rules": copy.deepcopy(settings.JOB_RUNNER_RULES)
            if "kubernetes_jobs" in service.reaches
            else []
        },
        **_settings(service),
        **(
            {"scratch": copy.deepcopy(settings.SCRATCH[service.name])}
            if service.name in settings.SCRATCH
            else {}
        ),
        **({"serviceAccounts": list(provisioned)} if provisioned else {}),
    }


def service_account_secret(service: str) -> dict[str, str]:
    """The Secret holding the secret of a service's service account (ms-vector-service-account),
    read by the service and by ms_auth."""
    return {
        "secretName": f"{kubernetes_name(service)}-service-account",
        "key": settings.SERVICE_ACCOUNT_SECRET_KEY,
    }


def provisioned_service_accounts(manifest: Manifest) -> list[dict[str, str]]:
    """The service accounts ms_auth provisions: one per service of repos.yaml that calls others
    as its own service account."""
    present = {service.name for service in manifest.services}
    return [
        {
            "name": account.name,
            "displayName": account.service,
            **service_account_secret(account.service),
        }
        for account in sorted(ACCOUNTS, key=lambda account: account.service)
        if account.service in present
    ]


def _settings(service: Service) -> dict[str, Any]:
    """What the service reaches outside the platform, and the service account it calls others as
    (its name and secret; ms_auth provisions it)."""
    values = _reach_settings(service)
    account = account_of(service.name)
    if account is not None:
        values["settings"].update({"service_account": account.name, **account.settings})
        secret = service_account_secret(service.name)
        values["settingsFromSecrets"].append({"setting": "service_account_secret", **secret})
    return values


def _reach_settings(service: Service) -> dict[str, Any]:
    """The settings of what the service reaches outside the platform, credentials from optional
    Secrets named after it (ms-notifications-smtp)."""
    plain: dict[str, str] = {}
    secret: list[dict[str, Any]] = []
    for reach in service.reaches:
        needs = settings.REACHES.get(reach)
        if needs is None:
            continue
        plain.update(needs["settings"])
        secret_name = f"{kubernetes_name(service.name)}-{needs['secret']}"
        secret += [
            {"setting": setting, "secretName": secret_name, "key": key, "optional": True}
            for setting, key in needs["settingsFromSecrets"].items()
        ]
    return {"settings": plain, "settingsFromSecrets": secret}


def _ports(service: Service) -> dict[str, int]:
    ports = service.ports
    if ports.metrics is None:
        raise FleetError(f"{service.name}: ports.metrics is needed to run on the cluster")
    assigned: dict[str, int] = {"grpc": ports.grpc, "grpcWeb": settings.GRPC_WEB_PORT}
    if ports.websocket is not None:
        assigned["websocket"] = ports.websocket
    if ports.http is not None:
        assigned["http"] = ports.http
    assigned["metrics"] = ports.metrics
    return assigned


def _database(service: Service) -> dict[str, str] | None:
    """The Secret the PostgreSQL operator writes for the service's database (see README)."""
    if service.database is None:
        return None
    return {"secretName": f"{kubernetes_name(service.name)}-postgres-app"}


def jwt_values(manifest: Manifest) -> dict[str, Any]:
    """How tokens are checked: issuer, audience, and where the Auth service serves its JWKS."""
    jwks_service = manifest.service(settings.JWKS_SERVICE)
    if jwks_service.ports.http is None:
        raise FleetError(f"{jwks_service.name}: ports.http is needed to serve the JWKS")
    return {
        "issuer": settings.JWT_ISSUER,
        "audience": settings.JWT_AUDIENCE,
        "jwksService": kubernetes_name(jwks_service.name),
        "jwksPort": jwks_service.ports.http,
        "jwksPath": settings.JWKS_PATH,
    }


def kafka_user(service: Service) -> dict[str, Any] | None:
    """The service's KafkaUser: what it may write and read, and its consumer group."""
    topics = service.topics
    if not topics.produces and not topics.consumes:
        return None
    name = kubernetes_name(service.name)
    return {
        "name": name,
        "consumerGroup": service.name,
        "produces": list(topics.produces),
        "consumes": list(topics.consumes),
        "deadLetterTopic": dead_letter_topic(service.name) if topics.consumes else "",
    }


def _kafka(service: Service) -> dict[str, Any] | None:
    user = kafka_user(service)
    if user is None:
        return None
    return {
        "cluster": settings.KAFKA_CLUSTER,
        "bootstrapServers": settings.KAFKA_BOOTSTRAP,
        "clusterCaSecret": settings.KAFKA_CLUSTER_CA_SECRET,
        "user": user["name"],
        "consumerGroup": user["consumerGroup"],
        "produces": user["produces"],
        "consumes": user["consumes"],
        "deadLetterTopic": user["deadLetterTopic"],
    }


def _stores(service: Service) -> dict[str, Any]:
    """Where the service's stores are: its Qdrant is the qdrant release's `<service>-qdrant`
    Service (the release composes the URL in its namespace; `url` set instead points elsewhere),
    whose API key the service reads from the same Secret Qdrant does; its ClickHouse likewise the
    clickhouse release's `<service>-clickhouse`, with the user's password from ClickHouse's Secret."""
    stores: dict[str, Any] = {}
    name = kubernetes_name(service.name)
    if "qdrant" in service.stores:
        stores["qdrant"] = {
            "service": qdrant_name(service.name),
            "port": settings.QDRANT_PORTS["http"],
            "apiKeySecret": {"name": qdrant_name(service.name), "key": "api-key"},
        }
    if "clickhouse" in service.stores:
        stores["clickhouse"] = {
            "service": clickhouse_name(service.name),
            "port": settings.CLICKHOUSE_PORTS["http"],
            **clickhouse_account(service),
            "passwordSecret": {"name": clickhouse_name(service.name), "key": "password"},
        }
    if "redis" in service.stores:
        stores["redis"] = {"urlSecret": {"name": f"{name}-redis", "key": "url"}}
    return stores


def clickhouse_account(service: Service) -> dict[str, str]:
    """The user and database the clickhouse release creates for a service (ms_activity, activity),
    which the service signs in as."""
    return {"user": service.name, "database": service.name.removeprefix("ms_")}


def _network(service: Service, calls: Sequence[Service]) -> dict[str, Any]:
    """What the release's NetworkPolicy lets its pods reach besides the callers that reach them.

    A peer the release does not have is left out rather than set to null: Helm drops null keys
    when it coalesces values, so a null here would fail the schema at install.
    """
    egress: dict[str, Any] = {
        "dns": copy.deepcopy(settings.DNS),
        "controlPlane": copy.deepcopy(settings.CONTROL_PLANE),
        "telemetry": copy.deepcopy(settings.OTEL_COLLECTOR),
    }
    if service.database is not None:
        cluster = f"{kubernetes_name(service.name)}-postgres"
        egress["database"] = {
            "podLabels": {"cnpg.io/cluster": cluster},
            "port": settings.POSTGRES_PORT,
        }
    if kafka_user(service) is not None:
        egress["kafka"] = {
            "podLabels": dict(settings.KAFKA_BROKER_LABELS),
            "port": settings.KAFKA_BROKER_PORT,
        }
    stores: list[dict[str, Any]] = []
    if "qdrant" in service.stores:
        qdrant = {"app.kubernetes.io/name": qdrant_name(service.name)}
        stores += [
            {"podLabels": dict(qdrant), "port": settings.QDRANT_PORTS[api]}
            for api in ("http", "grpc")
        ]
    if "clickhouse" in service.stores:
        clickhouse = {"app.kubernetes.io/name": clickhouse_name(service.name)}
        stores += [
            {"podLabels": dict(clickhouse), "port": port}
            for port in settings.CLICKHOUSE_PORTS.values()
        ]
    if "redis" in service.stores:
        stores.append({"namespace": None, "port": settings.REDIS_PORT})
    egress["stores"] = stores
    ports = sorted(
        {
            port
            for reach in service.reaches
            for port in settings.REACHES.get(reach, {}).get("ports", [])
        }
    )
    egress["external"] = (
        [{**copy.deepcopy(settings.OUTSIDE_THE_CLUSTER), "ports": ports}] if ports else []
    )
    return {
        "databaseOperator": copy.deepcopy(settings.POSTGRES_OPERATOR),
        "kubernetesApiPorts": list(settings.KUBERNETES_API_PORTS),
        "calls": [
            {"service": kubernetes_name(callee.name), "port": callee.ports.grpc}
            for callee in sorted(calls, key=lambda callee: callee.name)
        ],
        "egress": egress,
    }
