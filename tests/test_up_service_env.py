"""What each service process of a local run is told: its ports, its database, where its callees are."""

from __future__ import annotations

import importlib
from pathlib import Path

from fleet.manifest import load_manifest
from fleet.up.layout import UpLayout
from fleet.up.ports import PortPlan
from fleet.up.service_env import service_environment
from knowledge_kit.settings import unknown_variables

from .conftest import REPO_ROOT


def test_a_service_learns_its_ports_database_and_the_addresses_of_the_services_it_calls(
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
    assert "MS_CANVAS_CHAT_TARGET" not in env, "ms_canvas does not call ms_chat"


def test_every_variable_a_service_is_told_is_one_of_its_settings(tmp_path: Path) -> None:
    manifest = load_manifest(REPO_ROOT)
    ports = PortPlan(edge=8080, edge_grpc=8090, broker=19092)
    for service in manifest.services:
        if not (REPO_ROOT / service.path).is_dir():
            continue
        env = service_environment(service, manifest, UpLayout(home=tmp_path), ports, "b:9092")
        settings = importlib.import_module(f"{service.import_package}.config").Settings
        assert unknown_variables(settings, env) == [], service.name


def test_ms_vector_keeps_its_index_beside_its_database_in_the_runs_data_directory(
    tmp_path: Path,
) -> None:
    manifest = load_manifest(REPO_ROOT)
    layout = UpLayout(home=tmp_path)
    ports = PortPlan(edge=8080, edge_grpc=8090, broker=19092)

    env = service_environment(manifest.service("ms_vector"), manifest, layout, ports, "b:9092")

    assert env["MS_VECTOR_INDEX_PATH"] == str(layout.data / "ms_vector-index.npz")
    assert env["MS_VECTOR_DATABASE_URL"] == f"sqlite+aiosqlite:///{layout.data}/ms_vector.db"
    assert env["MS_VECTOR_KNOWLEDGE_TARGET"] == "127.0.0.1:50052", "ReindexSpace reads it"
    assert "MS_VECTOR_QDRANT_URL" not in env
    assert "MS_KNOWLEDGE_INDEX_PATH" not in service_environment(
        manifest.service("ms_knowledge"), manifest, layout, ports, "b:9092"
    )


def test_ms_activity_keeps_its_chdb_files_in_the_runs_data_directory(tmp_path: Path) -> None:
    manifest = load_manifest(REPO_ROOT)
    layout = UpLayout(home=tmp_path)
    ports = PortPlan(edge=8080, edge_grpc=8090, broker=19092)

    env = service_environment(manifest.service("ms_activity"), manifest, layout, ports, "b:9092")

    assert env["MS_ACTIVITY_CHDB_PATH"] == str(layout.data / "ms_activity-chdb")
    assert "MS_ACTIVITY_CLICKHOUSE_URL" not in env, "no ClickHouse server runs locally"
    assert "MS_VECTOR_CHDB_PATH" not in service_environment(
        manifest.service("ms_vector"), manifest, layout, ports, "b:9092"
    )


def test_ms_notifications_sends_mail_to_the_local_sink_with_links_to_the_local_page(
    tmp_path: Path,
) -> None:
    manifest = load_manifest(REPO_ROOT)
    ports = PortPlan(edge=8080, edge_grpc=8090, broker=19092, offset=100)
    notifications = manifest.service("ms_notifications")

    env = service_environment(notifications, manifest, UpLayout(home=tmp_path), ports, "b:9092")

    assert (env["MS_NOTIFICATIONS_SMTP_HOST"], env["MS_NOTIFICATIONS_SMTP_PORT"]) == (
        "127.0.0.1",
        "8095",
    )
    assert env["MS_NOTIFICATIONS_PUBLIC_BASE_URL"] == "http://127.0.0.1:8080"
    assert ports.wanted([notifications])["the local mail sink"] == 8095
    assert "the local mail sink" not in ports.wanted([manifest.service("ms_canvas")])


def test_ms_vector_follows_ms_mls_embedder_only_in_a_run_that_starts_ms_ml(
    tmp_path: Path,
) -> None:
    manifest = load_manifest(REPO_ROOT)
    layout = UpLayout(home=tmp_path)
    ports = PortPlan(edge=8080, edge_grpc=8090, broker=19092)
    vector = manifest.service("ms_vector")

    everything = service_environment(vector, manifest, layout, ports, "b:9092")
    with_ml = service_environment(
        vector, manifest, layout, ports, "b:9092", running=["ms_auth", "ms_ml", "ms_vector"]
    )
    without_ml = service_environment(
        vector, manifest, layout, ports, "b:9092", running=["ms_auth", "ms_knowledge", "ms_vector"]
    )

    assert everything["MS_VECTOR_EMBEDDER_ALIAS"] == with_ml["MS_VECTOR_EMBEDDER_ALIAS"]
    assert with_ml["MS_VECTOR_EMBEDDER_ALIAS"] == "production"
    # Without ms_ml it follows no alias instead of retrying ms_ml every 10 s, and reads the
    # version an earlier run rolled its index out to from the same model cache.
    assert "MS_VECTOR_EMBEDDER_ALIAS" not in without_ml
    assert without_ml["MS_VECTOR_MODEL_CACHE_DIR"] == with_ml["MS_VECTOR_MODEL_CACHE_DIR"]
    assert without_ml["MS_VECTOR_INDEX_PATH"] == with_ml["MS_VECTOR_INDEX_PATH"]
    assert without_ml["MS_VECTOR_KNOWLEDGE_TARGET"] == "127.0.0.1:50052"
