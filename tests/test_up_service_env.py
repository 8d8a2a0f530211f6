"""What each service process of a local run is told: its ports, its database, where the others are."""

from __future__ import annotations

from pathlib import Path

from fleet.manifest import load_manifest
from fleet.up.layout import UpLayout
from fleet.up.ports import PortPlan
from fleet.up.service_env import service_environment

from .conftest import REPO_ROOT


def test_a_service_learns_its_ports_database_and_every_other_services_address(
    tmp_path: Path,
) -> None:
    manifest = load_manifest(REPO_ROOT)
    ports = PortPlan(edge=8080, edge_grpc=8090, broker=19092, offset=100)
    canvas = manifest.service("ms_canvas")

    env = service_environment(canvas, manifest, UpLayout(home=tmp_path), ports, "127.0.0.1:19192")

    assert env["MS_CANVAS_GRPC_PORT"] == "50153"
    assert env["MS_CANVAS_WEBSOCKET_PORT"] == "8865"
    assert env["MS_CANVAS_KNOWLEDGE_TARGET"] == "127.0.0.1:50152"
    assert env["MS_CANVAS_AUTH_JWKS_URL"] == "http://127.0.0.1:8181/.well-known/jwks.json"
    assert env["MS_CANVAS_DATABASE_URL"].endswith("ms_canvas.db")
    assert "MS_CANVAS_CANVAS_TARGET" not in env
