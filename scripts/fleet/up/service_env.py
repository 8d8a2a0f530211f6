"""The environment a service process gets in a local run: its ports, database, broker and auth."""

from __future__ import annotations

from fleet.manifest import Manifest, Service
from fleet.up.layout import UpLayout

LOCAL_HOST = "127.0.0.1"


def env_prefix(service: Service) -> str:
    """Every service reads `<NAME>_*` variables (the template's settings convention)."""
    return f"{service.name.upper()}_"


def jwks_url(manifest: Manifest) -> str:
    """Where ms_auth serves its signing keys over HTTP (the kit verifies tokens against it)."""
    auth = manifest.service("ms_auth")
    if auth.ports.http is None:
        return ""
    return f"http://{LOCAL_HOST}:{auth.ports.http}/.well-known/jwks.json"


def service_environment(
    service: Service, manifest: Manifest, layout: UpLayout, broker_bootstrap: str
) -> dict[str, str]:
    prefix = env_prefix(service)
    env = {
        f"{prefix}GRPC_HOST": LOCAL_HOST,
        f"{prefix}KAFKA_BOOTSTRAP": broker_bootstrap,
        f"{prefix}AUTH_JWKS_URL": jwks_url(manifest),
        f"{prefix}LOG_JSON": "true",
    }
    for kind, port in service.ports.assigned().items():
        env[f"{prefix}{kind.upper()}_PORT"] = str(port)
    if service.ports.websocket is not None:
        env[f"{prefix}WEBSOCKET_HOST"] = LOCAL_HOST
    if service.ports.http is not None:
        env[f"{prefix}HTTP_HOST"] = LOCAL_HOST
    if service.database is not None:
        env[f"{prefix}DATABASE_URL"] = layout.database_url(service.name)
    return env
