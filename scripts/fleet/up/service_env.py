"""The environment a service process gets in a local run: its ports, database, broker and auth.

The names are the settings every service reads under its `<NAME>_` prefix: the kit's
(`GRPC_HOST`, `GRPC_PORT`, `METRICS_PORT`, `DATABASE_URL`, `KAFKA_BOOTSTRAP`, `AUTH_JWKS_URL`, ...)
and the template's for a service with a WebSocket (`WEBSOCKET_HOST`, `WEBSOCKET_PORT`) or an HTTP
endpoint (ms_auth's JWKS: `HTTP_HOST`, `HTTP_PORT`). A service that calls another reads its
address as `<OTHER>_TARGET` (ms_canvas: `MS_CANVAS_KNOWLEDGE_TARGET`), which in a cluster defaults
to the other service's Kubernetes name; locally each service named among another's `callers` in
repos.yaml gets that one's loopback port (not ms_auth's: callers verify its tokens through the JWKS
URL). A service that keeps vectors in Qdrant in a cluster (repos.yaml `stores: [qdrant]`:
ms_vector) keeps them locally in an in-process index, persisted at `INDEX_PATH` beside its
database; one that keeps its data in a ClickHouse server in a cluster (`stores: [clickhouse]`:
ms_activity) keeps it locally in ClickHouse in process (chdb), its files under `CHDB_PATH` in the
run's data directory. The service that sends mail (ms_notifications) sends it to the local SMTP sink the edge
runs (`SMTP_HOST`, `SMTP_PORT`), with links to the edge's page (`PUBLIC_BASE_URL`). ms_vector
follows the embedder ms_ml serves (`EMBEDDER_ALIAS`), reading ms_ml as its service account, whose
secret the run generates and ms_auth is given (`SERVICE_ACCOUNTS`; see `service_accounts`); in a
run without ms_ml (`--only`) it follows no alias instead of asking for one nobody serves: its index
keeps the embedder version it was embedded by, read from the model cache of earlier runs.
Nothing else is set: a service refuses a variable under its prefix that is no setting.
"""

from __future__ import annotations

from collections.abc import Collection

from fleet.manifest import Manifest, Service
from fleet.service_accounts import EMBEDDER_FOLLOWER, account_of
from fleet.up.layout import UpLayout
from fleet.up.mail import MAILING_SERVICE
from fleet.up.ports import PortPlan
from fleet.up.service_accounts import account_secret, provisioned_accounts

LOCAL_HOST = "127.0.0.1"
AUTH_SERVICE = "ms_auth"
JWKS_PATH = "/.well-known/jwks.json"
SHUTDOWN_GRACE_SECONDS = 3
"""Open Watch streams end at once when the developer stops the run; no one is waiting to drain."""


def env_prefix(service: Service) -> str:
    """Every service reads `<NAME>_*` variables (the template's settings convention)."""
    return f"{service.name.upper()}_"


def jwks_url(manifest: Manifest, ports: PortPlan) -> str:
    """Where ms_auth serves its signing keys over HTTP (the kit verifies tokens against it)."""
    auth = manifest.service(AUTH_SERVICE)
    http_port = ports.of(auth).get("http")
    return f"http://{LOCAL_HOST}:{http_port}{JWKS_PATH}" if http_port else ""


def service_environment(
    service: Service,
    manifest: Manifest,
    layout: UpLayout,
    ports: PortPlan,
    broker_bootstrap: str,
    running: Collection[str] | None = None,
) -> dict[str, str]:
    """`running`: the names of the services the run starts (every one of repos.yaml when None)."""
    prefix = env_prefix(service)
    env = {
        f"{prefix}GRPC_HOST": LOCAL_HOST,
        f"{prefix}KAFKA_BOOTSTRAP": broker_bootstrap,
        f"{prefix}AUTH_JWKS_URL": jwks_url(manifest, ports),
        f"{prefix}SHUTDOWN_GRACE_SECONDS": str(SHUTDOWN_GRACE_SECONDS),
        # Read by a developer in a log file, not by a log pipeline.
        f"{prefix}LOG_JSON": "false",
    }
    for kind, port in ports.of(service).items():
        env[f"{prefix}{kind.upper()}_PORT"] = str(port)
        if kind in ("websocket", "http"):
            env[f"{prefix}{kind.upper()}_HOST"] = LOCAL_HOST
    if service.database is not None:
        env[f"{prefix}DATABASE_URL"] = layout.database_url(service.name)
    if "qdrant" in service.stores:
        # No Qdrant locally: without QDRANT_URL the service keeps its index in-process.
        env[f"{prefix}INDEX_PATH"] = str(layout.index_file(service.name))
    if "clickhouse" in service.stores:
        # No ClickHouse server locally: without CLICKHOUSE_URL the service runs chdb in process.
        env[f"{prefix}CHDB_PATH"] = str(layout.chdb_directory(service.name))
    if service.name == MAILING_SERVICE:
        env[f"{prefix}SMTP_HOST"] = LOCAL_HOST
        env[f"{prefix}SMTP_PORT"] = str(ports.mail_sink)
        env[f"{prefix}PUBLIC_BASE_URL"] = f"http://{LOCAL_HOST}:{ports.edge}"
    started = {other.name for other in manifest.services} if running is None else set(running)
    env.update(_service_account_environment(service, manifest, layout, ports, started))
    for other in manifest.services:
        # Services refuse variables they have no setting for: only callers learn an address,
        # and ms_auth's callers reach it through AUTH_JWKS_URL.
        if service.name in other.callers and other.name != AUTH_SERVICE:
            target = other.name.removeprefix("ms_").upper()
            env[f"{prefix}{target}_TARGET"] = f"{LOCAL_HOST}:{ports.grpc(other)}"
    return env


def _service_account_environment(
    service: Service, manifest: Manifest, layout: UpLayout, ports: PortPlan, running: set[str]
) -> dict[str, str]:
    """ms_auth provisions the run's service accounts; a service with one signs in with its
    secret at ms_auth's gRPC port (client credentials are no JWKS lookup)."""
    prefix = env_prefix(service)
    if service.name == AUTH_SERVICE:
        return {f"{prefix}SERVICE_ACCOUNTS": provisioned_accounts(layout.secrets)}
    account = account_of(service.name)
    if account is None:
        return {}
    auth = manifest.service(AUTH_SERVICE)
    env = {
        f"{prefix}AUTH_TARGET": f"{LOCAL_HOST}:{ports.grpc(auth)}",
        f"{prefix}SERVICE_ACCOUNT": account.name,
        f"{prefix}SERVICE_ACCOUNT_SECRET": account_secret(layout.secrets, account),
    }
    if account == EMBEDDER_FOLLOWER:
        # The embedder versions it downloads, beside its database (not in its source tree); a
        # run without ms_ml reads the version its index was rolled out to from there.
        env[f"{prefix}MODEL_CACHE_DIR"] = str(layout.data / f"{service.name}-models")
    if account.reads not in running:
        return env
    env.update({f"{prefix}{setting.upper()}": value for setting, value in account.settings.items()})
    return env
