"""One settings base for every service: environment variables under a per-service prefix."""

from __future__ import annotations

from typing import TypeVar

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge_kit.names import check_service_name


class SettingsError(Exception):
    """Configuration that cannot start a service; the message names every bad value."""


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclass it, add fields, and set the env prefix:

    `model_config = SettingsConfigDict(env_prefix="KNOWLEDGE_")` reads `KNOWLEDGE_GRPC_PORT`.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str
    grpc_host: str = "0.0.0.0"
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./service.db"
    kafka_bootstrap: str = "127.0.0.1:9092"
    log_level: str = "INFO"
    log_json: bool = True
    # Share of traces started here that are recorded (Istio's default, 1%); a sampled caller's
    # trace is always continued. Raise it on a laptop to see every request.
    trace_sample_ratio: float = Field(default=0.01, ge=0.0, le=1.0)
    auth_jwks_url: str = "http://127.0.0.1:8081/.well-known/jwks.json"
    auth_issuer: str = "knowledge-auth"
    auth_audience: str = "knowledge-platform"
    auth_jwks_max_age_seconds: float = Field(default=300.0, gt=0)
    auth_jwks_min_refresh_seconds: float = Field(default=10.0, ge=0)
    public_methods: frozenset[str] = frozenset()
    grpc_max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    grpc_keepalive_seconds: float = Field(default=30.0, gt=0)
    grpc_keepalive_timeout_seconds: float = Field(default=10.0, gt=0)
    grpc_max_concurrent_rpcs: int | None = Field(default=None, ge=1)
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)

    @field_validator("service_name")
    @classmethod
    def _service_name(cls, value: str) -> str:
        return check_service_name(value)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def load_settings(settings_class: type[SettingsT], **overrides: object) -> SettingsT:
    """Read and validate settings at start; raise SettingsError naming each bad variable."""
    try:
        return settings_class(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        prefix = str(settings_class.model_config.get("env_prefix") or "")
        problems = [
            f"{prefix}{'_'.join(str(part) for part in error['loc']).upper()}: {_reason(error)}"
            for error in exc.errors()
        ]
        raise SettingsError(f"invalid {settings_class.__name__}: " + "; ".join(problems)) from None


def _reason(error: object) -> str:
    assert isinstance(error, dict)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error.get("type") == "missing":
        return "is required but not set"
    received = error.get("input")
    if isinstance(received, str | int | float):
        return f"{message} (got {received!r})"
    return message
