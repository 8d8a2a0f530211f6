"""A database that cannot be reached is a retryable UNAVAILABLE for the caller, and never a
reason to park a good event; a broken query stays INTERNAL (retrying would not help)."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from knowledge_kit.database.availability import database_unreachable
from knowledge_kit.errors import rpc_status_for
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import EchoServicer, add_EchoServicer_to_server, bearer, echo_stub


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _failure_of(engine: AsyncEngine, statement: str) -> Exception:
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    except Exception as error:
        return error
    finally:
        await engine.dispose()
    raise AssertionError(f"{statement!r} did not fail")


class _DatabaseEcho(EchoServicer):
    """Echo that reads its database first, as a service's use case would."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine

    async def Echo(
        self, request: StringValue, context: grpc.aio.ServicerContext[Any, Any]
    ) -> StringValue:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return await super().Echo(request, context)


async def test_postgresql_refusing_connections_is_unreachable() -> None:
    engine = create_async_engine(f"postgresql+asyncpg://knowledge:x@127.0.0.1:{_closed_port()}/db")
    failure = await _failure_of(engine, "SELECT 1")
    assert database_unreachable(failure)
    assert rpc_status_for(failure).code is grpc.StatusCode.UNAVAILABLE


async def test_a_sqlite_file_that_cannot_be_opened_is_unreachable(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/service.db")
    before = set(threading.enumerate())
    failure = await _failure_of(engine, "SELECT 1")
    # aiosqlite stops the thread of a connection that failed to open without waiting for it; the
    # thread then answers on this test's event loop, which must still be running.
    for thread in set(threading.enumerate()) - before:
        await asyncio.to_thread(thread.join, 10)
    assert database_unreachable(failure)


async def test_a_broken_query_is_not_an_outage(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/service.db")
    try:
        failure = await _failure_of(engine, "SELECT * FROM no_such_table")
    finally:
        await engine.dispose()
    assert not database_unreachable(failure)
    assert rpc_status_for(failure).code is grpc.StatusCode.INTERNAL


async def test_an_rpc_whose_database_is_down_answers_unavailable(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    port = _closed_port()
    engine = create_async_engine(f"postgresql+asyncpg://knowledge:secret@127.0.0.1:{port}/db")
    running = await start_grpc_server((add_EchoServicer_to_server, _DatabaseEcho(engine)))
    try:
        async with grpc.aio.insecure_channel(running.target) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as failed:
                await echo_stub(channel, "Echo")(
                    StringValue(value="hi"), metadata=bearer(jwks_endpoint.mint())
                )
    finally:
        await engine.dispose()
    assert failed.value.code() is grpc.StatusCode.UNAVAILABLE
    assert failed.value.details() == "the service's database is unavailable; retry later"
    assert str(port) not in f"{failed.value.details()} {failed.value.trailing_metadata()}"
