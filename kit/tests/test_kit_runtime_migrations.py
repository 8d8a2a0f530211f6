"""Who migrates the database: the service at start (a laptop), or one deploy step before the
replicas start (a cluster's pre-upgrade Job with `only`, the replicas with `skip`)."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest

from knowledge_kit.runtime import ServiceContext, ServiceParts, ServiceRuntime
from knowledge_kit.runtime.service import migrate_only
from knowledge_kit.settings import ServiceSettings, SettingsError, load_settings
from knowledge_kit.testing import JwksEndpoint

from .echo_service import EchoServicer, add_EchoServicer_to_server
from .test_kit_runtime import MIGRATIONS, SampleSettings, sample_settings
from .test_kit_runtime_process import next_event, start_sample

MIGRATED = "alembic_version"


def _tables(database_url: str) -> set[str]:
    path = database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


async def _echo(context: ServiceContext[Any]) -> ServiceParts:
    return ServiceParts(servicers=[(add_EchoServicer_to_server, EchoServicer())])


@pytest.mark.parametrize(("mode", "migrated"), [("at_start", True), ("skip", False)])
async def test_replicas_migrate_at_start_unless_told_to_skip(
    service_settings: ServiceSettings, sqlite_database_url: str, mode: str, migrated: bool
) -> None:
    settings = sample_settings(service_settings, sqlite_database_url, database_migrations=mode)
    runtime = ServiceRuntime(settings, _echo, migrations=MIGRATIONS)

    await runtime.start()
    await runtime.stop()

    assert (MIGRATED in _tables(sqlite_database_url)) is migrated


async def test_only_migrates_and_exits_without_serving(
    sqlite_database_url: str, jwks_endpoint: JwksEndpoint
) -> None:
    process = await start_sample(
        {
            "DATABASE_URL": sqlite_database_url,
            "DATABASE_MIGRATIONS": "only",
            "AUTH_JWKS_URL": jwks_endpoint.url,
        }
    )

    migrated = await next_event(process, "database_migrated")
    # It never got as far as serving: the process ends on its own, no signal sent.
    async with asyncio.timeout(60):
        code = await process.wait()

    assert migrated["service"] == "ms_sample"
    assert code == 0
    assert MIGRATED in _tables(sqlite_database_url)


async def test_only_without_migrations_names_the_problem(
    service_settings: ServiceSettings, sqlite_database_url: str
) -> None:
    settings = sample_settings(service_settings, sqlite_database_url, database_migrations="only")

    with pytest.raises(SettingsError, match="ms_sample has no database to migrate"):
        await migrate_only(settings, None)


def test_an_unknown_mode_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MS_SAMPLE_SERVICE_NAME", "ms_sample")
    monkeypatch.setenv("MS_SAMPLE_DATABASE_MIGRATIONS", "later")

    with pytest.raises(SettingsError, match="MS_SAMPLE_DATABASE_MIGRATIONS"):
        load_settings(SampleSettings)
