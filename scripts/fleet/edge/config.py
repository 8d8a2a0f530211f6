"""What the edge listens on and where it sends each gRPC package and WebSocket service."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fleet.edge.origins import origin_problem
from fleet.errors import FleetError

Address = str  # host:port


class WebSocketUpstream(BaseModel):
    """Browsers open `<path_prefix><rest>`; `upstream` receives `<rewrite><rest>`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path_prefix: str = Field(pattern=r"^/ws/([^/]+/)+$")
    rewrite: str = Field(pattern=r"^/")
    upstream: Address

    def upstream_path(self, tail: str) -> str:
        """The path the service receives for a browser's `<path_prefix><tail>`."""
        return self.rewrite + tail


class MailSinkConfig(BaseModel):
    """A local SMTP server keeping every mail it receives in `directory` (GET /local/mails)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    port: int = Field(ge=0, le=65535)
    directory: Path


class EdgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(ge=0, le=65535, description="HTTP: the page, gRPC-web and WebSockets")
    grpc_port: int | None = Field(
        default=None, ge=0, le=65535, description="plain gRPC for server-side callers; off if None"
    )
    grpc_routes: dict[str, Address] = Field(
        description="gRPC package (e.g. knowledge.auth.v1) → upstream host:port"
    )
    websocket_routes: list[WebSocketUpstream] = Field(
        default_factory=list,
        description="the route table's WebSocket routes (fleet.edge.routes), each to host:port",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="pages besides the edge's own that may call it, e.g. http://localhost:3000",
    )
    static_dir: Path | None = None
    web_app: Address | None = Field(
        default=None,
        description="the web app's server: it answers at / (the static page then at /classic)",
    )
    mail_sink: MailSinkConfig | None = None
    max_request_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_websocket_message_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="a browser's larger WebSocket message is refused with 1009 (the services' limit)",
    )

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            problem = origin_problem(origin)
            if problem is not None:
                raise ValueError(f"'{origin}' {problem}")
        return origins


def load_edge_config(path: Path) -> EdgeConfig:
    try:
        return EdgeConfig.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:
        raise FleetError(f"{path}: cannot read the edge configuration: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise FleetError(f"{path}: {where}: {first['msg']}") from None
