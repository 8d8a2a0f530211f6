"""Settings of ms_auth, read from `MS_AUTH_*` environment variables."""

from typing import Literal

from knowledge_kit.settings import ServiceSettings
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

AUTH_SERVICE = "/knowledge.auth.v1.AuthService"
# Signing in, refreshing, signing out (the refresh token is the credential) and the keys.
PUBLIC_METHODS = frozenset(
    f"{AUTH_SERVICE}/{method}"
    for method in (
        "Register",
        "Login",
        "Logout",
        "RefreshToken",
        "GetJwks",
        "IssueServiceAccountToken",
    )
)


class ServiceAccountSetting(BaseModel):
    """One provisioned service account, e.g. from a Kubernetes Secret as JSON."""

    name: str
    secret: SecretStr
    scopes: tuple[str, ...] = ()
    display_name: str = ""


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own."""

    model_config = SettingsConfigDict(env_prefix="MS_AUTH_", frozen=True)

    service_name: str = "ms_auth"
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./auth.db"
    produced_topics: tuple[str, ...] = (
        "auth.users.v1",
        "auth.sessions.v1",
    )
    public_methods: frozenset[str] = PUBLIC_METHODS
    # The JWKS over HTTP, for the other services' verifiers and the mesh.
    http_host: str = "0.0.0.0"
    http_port: int = Field(default=8081, ge=0, le=65535)
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=3600)
    service_account_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    signing_key_algorithm: Literal["EdDSA", "RS256"] = "EdDSA"
    signing_key_rotation_seconds: int = Field(default=30 * 24 * 3600, ge=3600)
    # How long a successor key is published before it signs (outlasting verifiers' JWKS caches).
    signing_key_publication_lead_seconds: int = Field(default=3600, ge=0)
    # Encrypts the stored private signing keys when set.
    signing_key_passphrase: SecretStr | None = None
    lockout_max_failures: int = Field(default=5, ge=1)
    lockout_window_seconds: int = Field(default=900, ge=1)
    lockout_duration_seconds: int = Field(default=900, ge=1)
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=8)
    password_hash_parallelism: int = Field(default=4, ge=1)
    # Accounts registered with these emails start as administrators.
    admin_emails: frozenset[str] = frozenset()
    service_accounts: tuple[ServiceAccountSetting, ...] = ()
