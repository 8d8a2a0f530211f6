"""One settings base for every service: environment variables under a per-service prefix."""

from __future__ import annotations

import difflib
import os
import ssl
from collections.abc import Mapping
from typing import Any, Literal, Self, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge_kit.names import check_service_name

KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]
DatabaseMigrations = Literal["at_start", "skip", "only"]


class SettingsError(Exception):
    """Configuration that cannot start a service; the message names every bad value."""


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclass it, add fields, and set the env prefix:

    `model_config = SettingsConfigDict(env_prefix="KNOWLEDGE_")` reads `KNOWLEDGE_GRPC_PORT`.
    """

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    service_name: str
    grpc_host: str = "0.0.0.0"
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./service.db"
    # "at_start": migrate, then serve. On a cluster one deploy step migrates ("only": migrate and
    # exit, the charts' pre-upgrade Job) and the replicas start with "skip", so none race it.
    database_migrations: DatabaseMigrations = "at_start"
    kafka_bootstrap: str = "127.0.0.1:9092"
    # The cluster's listener: SCRAM over TLS in Kubernetes (Strimzi), plaintext on a laptop.
    kafka_security_protocol: KafkaSecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: KafkaSaslMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    # CA bundle (PEM) the brokers' certificates chain to; unset: the system's CAs.
    kafka_ssl_cafile: str | None = None
    # Unset: the service name and `deadletter.<name without ms_>.v1`, what the chart grants.
    kafka_consumer_group: str | None = None
    kafka_dead_letter_topic: str | None = None
    # What the cluster lets the service write and read: the outbox refuses other topics, and the
    # service's event consumer reads exactly these.
    produced_topics: tuple[str, ...] = ()
    consumed_topics: tuple[str, ...] = ()
    # How many outbox events the relay publishes per round trip to Kafka.
    outbox_batch_size: int = Field(default=1000, ge=1)
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
    # Key of the List RPCs' page tokens, the same on every instance; unset, it derives from
    # service_name (tokens stay bound to their listing, but whoever knows it can read them).
    page_token_secret: SecretStr | None = None

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

    @model_validator(mode="after")
    def _kafka_security(self) -> Self:
        prefix = str(self.model_config.get("env_prefix") or "")
        protocol = self.kafka_security_protocol
        if protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                f"{prefix}KAFKA_SASL_USERNAME and {prefix}KAFKA_SASL_PASSWORD must be set when "
                f"{prefix}KAFKA_SECURITY_PROTOCOL is {protocol}"
            )
        if protocol.endswith("SSL") and self.kafka_ssl_cafile is not None:
            try:
                ssl.create_default_context(cafile=self.kafka_ssl_cafile)
            except (OSError, ssl.SSLError) as unreadable:
                raise ValueError(
                    f"{prefix}KAFKA_SSL_CAFILE: cannot read a PEM CA bundle from "
                    f"{self.kafka_ssl_cafile!r} ({unreadable})"
                ) from None
        return self


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def load_settings(settings_class: type[SettingsT], **overrides: object) -> SettingsT:
    """Read and validate settings at start; raise SettingsError naming each bad variable,
    including a variable under the service's prefix that is no setting (a typo)."""
    prefix = str(settings_class.model_config.get("env_prefix") or "")
    problems = unknown_variables(settings_class, os.environ) if prefix else []
    try:
        settings = settings_class(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems += [_problem(prefix, error) for error in exc.errors()]
    if problems:
        raise SettingsError(f"invalid {settings_class.__name__}: " + "; ".join(problems))
    return settings


def unknown_variables(
    settings_class: type[ServiceSettings], environment: Mapping[str, str]
) -> list[str]:
    """One problem per variable under the class's prefix that names no setting, with the
    setting it most resembles."""
    prefix = str(settings_class.model_config.get("env_prefix") or "").upper()
    known = {f"{prefix}{name.upper()}" for name in settings_class.model_fields}
    problems = []
    for variable in sorted(environment):
        upper = variable.upper()
        if not upper.startswith(prefix) or upper in known:
            continue
        guess = difflib.get_close_matches(upper, known, n=1)
        hint = f" (did you mean {guess[0]}?)" if guess else ""
        problems.append(f"{variable}: is not a setting of this service{hint}")
    return problems


def _problem(prefix: str, error: Any) -> str:
    location = "_".join(str(part) for part in error["loc"]).upper()
    return f"{prefix}{location}: {_reason(error)}" if location else _reason(error)


def _reason(error: object) -> str:
    assert isinstance(error, dict)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error.get("type") == "missing":
        return "is required but not set"
    received = error.get("input")
    if isinstance(received, str | int | float):
        return f"{message} (got {received!r})"
    return message
