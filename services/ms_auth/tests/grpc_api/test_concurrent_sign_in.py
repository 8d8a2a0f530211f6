"""Bursts of concurrent sign-ins and refreshes through the running service, on both backends.

Each test runs on SQLite (where `SELECT ... FOR UPDATE` locks nothing) and on PostgreSQL, whatever
KNOWLEDGE_TEST_DATABASE says: the guarantees must hold on each database a deployment may use.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from knowledge.auth.v1 import auth_service_pb2
from knowledge_kit.database.migrations import upgrade_database

from ms_auth.service.password_hashing import Argon2PasswordHasher

from ..conftest import PASSWORD
from .conftest import RunningAuth, refusal

EMAIL = "ada@example.com"
MAX_FAILURES = 3  # the test settings' lockout_max_failures
BURST = 20
HELD = 10  # fewer than the connection pool holds, should a check keep its connection


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each backend in turn."""
    fixture = "sqlite_database_url" if request.param == "sqlite" else "postgres_database_url"
    return str(request.getfixturevalue(fixture))


@pytest_asyncio.fixture
async def database_url(backend_url: str, service_migrations: Path) -> str:
    """The service's database on the backend of this run, migrated to head."""
    await upgrade_database(backend_url, service_migrations)
    return backend_url


async def outcomes(calls: Iterable[Awaitable[object]]) -> Counter[str]:
    """How many of the calls, all sent at once, ended with each status code."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    codes: Counter[str] = Counter()
    for result in results:
        if isinstance(result, grpc.aio.AioRpcError):
            codes[result.code().name] += 1
        elif isinstance(result, BaseException):
            raise result
        else:
            codes["OK"] += 1
    return codes


def login(running: RunningAuth, password: str) -> Awaitable[auth_service_pb2.LoginResponse]:
    return running.auth.Login(auth_service_pb2.LoginRequest(email=EMAIL, password=password))


def refresh(running: RunningAuth, token: str) -> Awaitable[auth_service_pb2.RefreshTokenResponse]:
    return running.auth.RefreshToken(auth_service_pb2.RefreshTokenRequest(refresh_token=token))


class WrongPasswordChecks:
    """Spies on the real hasher: counts checks of wrong passwords and holds them until released,
    so a test can act while they are all still being checked."""

    def __init__(self) -> None:
        self.started = 0
        self.released = asyncio.Event()
        self._changed = asyncio.Condition()

    async def started_at_least(self, count: int) -> None:
        # The limit only turns a test that would wait forever into a failure.
        async with asyncio.timeout(60), self._changed:
            await self._changed.wait_for(lambda: self.started >= count)

    def wrap(self, verify: Callable[..., Awaitable[bool]]) -> Callable[..., Awaitable[bool]]:
        async def held(hasher: Argon2PasswordHasher, secret_hash: str | None, secret: str) -> bool:
            if secret != PASSWORD:
                async with self._changed:
                    self.started += 1
                    self._changed.notify_all()
                await self.released.wait()
            return await verify(hasher, secret_hash, secret)

        return held


@pytest.fixture
def wrong_password_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[WrongPasswordChecks]:
    checks = WrongPasswordChecks()
    monkeypatch.setattr(Argon2PasswordHasher, "verify", checks.wrap(Argon2PasswordHasher.verify))
    yield checks
    checks.released.set()


async def test_of_concurrent_refreshes_with_one_token_exactly_one_succeeds(
    running: RunningAuth,
) -> None:
    registered = await running.register(EMAIL)
    token = registered.tokens.refresh_token

    results = await asyncio.gather(
        *(refresh(running, token) for _ in range(10)), return_exceptions=True
    )

    renewed = [r for r in results if isinstance(r, auth_service_pb2.RefreshTokenResponse)]
    refused = [r.code() for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(renewed) == 1
    assert refused == [grpc.StatusCode.UNAUTHENTICATED] * 9
    # The token came back after its exchange: reuse ends the session, the new chain with it.
    ended = await refusal(refresh(running, renewed[0].tokens.refresh_token))
    assert ended.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_a_burst_of_wrong_passwords_gets_only_the_allowed_checks(
    running: RunningAuth,
) -> None:
    await running.register(EMAIL)

    codes = await outcomes([login(running, f"wrong password {n}") for n in range(BURST)])

    assert codes == {"UNAUTHENTICATED": MAX_FAILURES, "RESOURCE_EXHAUSTED": BURST - MAX_FAILURES}
    locked = await refusal(login(running, PASSWORD))
    assert locked.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_the_right_password_is_refused_once_wrong_ones_have_taken_every_check(
    running: RunningAuth, wrong_password_checks: WrongPasswordChecks
) -> None:
    await running.register(EMAIL)
    wrong = [asyncio.ensure_future(login(running, f"wrong password {n}")) for n in range(HELD)]
    await wrong_password_checks.started_at_least(MAX_FAILURES)

    right = await refusal(login(running, PASSWORD))
    wrong_password_checks.released.set()
    codes = await outcomes(wrong)

    assert right.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert wrong_password_checks.started == MAX_FAILURES
    assert codes == {"UNAUTHENTICATED": MAX_FAILURES, "RESOURCE_EXHAUSTED": HELD - MAX_FAILURES}
