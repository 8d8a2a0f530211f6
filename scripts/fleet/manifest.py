"""The fleet manifest (repos.yaml): one validated entry per service repository."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fleet.errors import FleetError
from fleet.located_yaml import LocatedDocument, load_located_yaml
from fleet.paths import MANIFEST_NAME
from fleet.validation_messages import describe_validation_error

SERVICE_NAME = re.compile(r"^ms_[a-z][a-z0-9]*(_[a-z0-9]+)*$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
INGRESS = "ingress"
"""The caller name of the browser-facing gateway (the local edge, or the Istio ingress)."""

Port = Annotated[int, Field(ge=1024, le=65535)]
Tag = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
CallerMethod = Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9]*/[A-Z][A-Za-z0-9]*$")]
"""A method of the service's gRPC API, as <Service>/<Method> (its package is the service's)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ports(Strict):
    """Ports a service listens on; every port is unique across the whole fleet."""

    grpc: Port
    websocket: Port | None = None
    http: Port | None = None
    metrics: Port | None = None

    def assigned(self) -> dict[str, int]:
        return {kind: port for kind, port in self.model_dump().items() if port is not None}


class Topics(Strict):
    """Kafka topics a service writes (through its outbox) and reads (through its inbox)."""

    produces: list[str] = []
    consumes: list[str] = []


class Service(Strict):
    """One service repository of the fleet."""

    name: str
    path: str
    description: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    template_version: str | None = None
    ports: Ports
    database: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    stores: list[Literal["qdrant", "redis", "clickhouse"]] = []
    reaches: list[Literal["smtp", "web_push", "object_storage", "kubernetes_jobs"]] = Field(
        default=[],
        description="what the service reaches besides the platform: a mail server (smtp), browsers' "
        "push services (web_push), S3 object storage, Jobs it runs in its namespace "
        "(kubernetes_jobs); its release lets it out there and reads the credentials from Secrets",
    )
    browser: bool = False
    topics: Topics = Topics()
    callers: list[str] = []
    caller_methods: dict[str, list[CallerMethod]] = Field(
        default={},
        description="callers allowed only some methods, like ms_canvas: [SpaceService/GetSpace]; "
        "a caller not named here may call every method",
    )
    public_methods: list[CallerMethod] = Field(
        default=[],
        description="methods browsers call without a token (signing in); the ingress requires "
        "one on every other method, and the service's settings list the same",
    )
    tags: list[Tag] = []

    @field_validator("name")
    @classmethod
    def _name_is_a_service_name(cls, value: str) -> str:
        if not SERVICE_NAME.match(value):
            raise ValueError("must look like ms_<name> (lowercase letters, digits, underscores)")
        return value

    @field_validator("path")
    @classmethod
    def _path_is_relative(cls, value: str) -> str:
        if value.startswith("/") or ".." in Path(value).parts:
            raise ValueError("must be a path inside the repository, like services/ms_example")
        return value

    @field_validator("template_version")
    @classmethod
    def _template_version_is_semver(cls, value: str | None) -> str | None:
        if value is not None and not SEMVER.match(value):
            raise ValueError("must be a template release like 1.2.0")
        return value

    @property
    def import_package(self) -> str:
        """The service's Python import package (unique per service)."""
        return self.name


class Manifest(Strict):
    """The whole fleet: every service repository and how they connect."""

    version: Literal[1]
    services: list[Service] = Field(min_length=1)

    @model_validator(mode="after")
    def _fleet_is_consistent(self) -> Manifest:
        names = [service.name for service in self.services]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"service names must be unique: {', '.join(duplicated)}")
        owners_of_port: dict[int, str] = {}
        for service in self.services:
            for kind, port in service.ports.assigned().items():
                if port in owners_of_port:
                    raise ValueError(
                        f"port {port} is used twice: {owners_of_port[port]} and "
                        f"{service.name}.{kind}"
                    )
                owners_of_port[port] = f"{service.name}.{kind}"
        known_callers = {*names, INGRESS}
        for service in self.services:
            unknown = [caller for caller in service.callers if caller not in known_callers]
            if unknown:
                raise ValueError(
                    f"{service.name}.callers names unknown caller(s) {', '.join(unknown)} "
                    f"(known: the fleet's services and '{INGRESS}')"
                )
            for caller, methods in service.caller_methods.items():
                if caller not in service.callers or caller == INGRESS:
                    raise ValueError(
                        f"{service.name}.caller_methods names '{caller}', which is not one of "
                        f"its callers (callers: {', '.join(service.callers) or 'none'})"
                    )
                if not methods:
                    raise ValueError(
                        f"{service.name}.caller_methods.{caller} lists no method: remove "
                        f"{caller} from callers instead"
                    )
        return self

    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        known = ", ".join(s.name for s in self.services)
        raise FleetError(f"no service named '{name}' in {MANIFEST_NAME} (known: {known})")

    def with_tag(self, tag: str) -> list[Service]:
        return [service for service in self.services if tag in service.tags]


def load_manifest(root: Path) -> Manifest:
    """Read and validate `repos.yaml` at the repository root; any problem is one FleetError line."""
    document = load_located_yaml(root / MANIFEST_NAME)
    return parse_manifest(document)


def parse_manifest(document: LocatedDocument) -> Manifest:
    try:
        return Manifest.model_validate(document.data)
    except ValidationError as exc:
        raise FleetError(describe_validation_error(exc, document)) from None
