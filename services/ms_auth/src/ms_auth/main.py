"""The composition root: settings, database, use cases, servicers and the servers, wired once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from knowledge.auth.v1 import auth_service_pb2_grpc, user_service_pb2_grpc
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events.outbox import Outbox
from knowledge_kit.events.relaying import relaying_outbox
from knowledge_kit.observability import configure_logging, configure_tracing
from knowledge_kit.rpc import RpcStep, ServiceServer, default_steps
from knowledge_kit.settings import load_settings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .config import Settings
from .domain.credentials import normalized_email
from .domain.throttling import LockoutPolicy
from .middleware.own_keys import own_token_verifier
from .repository.signing_keys import PrivateKeyCodec
from .repository.unit_of_work import SqlAuthUnitOfWork
from .server.auth_service import AuthServicer
from .server.jwks_endpoint import JwksEndpoint
from .server.user_service import UserServicer
from .service.password_hashing import Argon2PasswordHasher
from .service.policy import AuthPolicy, Clock, utc_now
from .service.service_accounts import ServiceAccountSpec, ServiceAccountUseCases
from .service.sessions import SessionUseCases
from .service.sign_in import SignInUseCases
from .service.signing_keys import SigningKeyUseCases
from .service.tokens import TokenIssuer
from .service.users import UserUseCases

MIGRATIONS = Path(__file__).parent / "migrations"
ROTATION_CHECK_SECONDS = 3600.0
_log = structlog.get_logger("ms_auth")


Servicer = tuple[Callable[[Any, Any], None], Any]


@dataclass(frozen=True, slots=True)
class AuthUseCases:
    """Every use case of the service, over one database."""

    sign_in: SignInUseCases
    sessions: SessionUseCases
    users: UserUseCases
    keys: SigningKeyUseCases
    service_accounts: ServiceAccountUseCases


def auth_policy(settings: Settings) -> AuthPolicy:
    """The use cases' knobs from the settings."""
    return AuthPolicy(
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        access_token_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        refresh_token_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
        service_account_token_ttl=timedelta(seconds=settings.service_account_token_ttl_seconds),
        signing_key_rotation_interval=timedelta(seconds=settings.signing_key_rotation_seconds),
        signing_key_publication_lead=timedelta(
            seconds=settings.signing_key_publication_lead_seconds
        ),
        lockout=LockoutPolicy(
            max_failures=settings.lockout_max_failures,
            failure_window=timedelta(seconds=settings.lockout_window_seconds),
            lockout_duration=timedelta(seconds=settings.lockout_duration_seconds),
        ),
        admin_emails=frozenset(normalized_email(email) for email in settings.admin_emails),
    )


def auth_use_cases(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock = utc_now
) -> AuthUseCases:
    """The use cases on the database behind `sessions`."""
    policy = auth_policy(settings)
    passphrase = settings.signing_key_passphrase
    codec = PrivateKeyCodec(passphrase.get_secret_value().encode() if passphrase else None)
    outbox = Outbox(settings.service_name)

    def unit_of_work() -> SqlAuthUnitOfWork:
        return SqlAuthUnitOfWork(sessions, codec=codec, outbox=outbox)

    hasher = Argon2PasswordHasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost_kib=settings.password_hash_memory_kib,
        parallelism=settings.password_hash_parallelism,
    )
    algorithm = settings.signing_key_algorithm
    tokens = TokenIssuer(policy, clock, key_algorithm=algorithm)
    return AuthUseCases(
        sign_in=SignInUseCases(
            unit_of_work, hasher=hasher, tokens=tokens, policy=policy, clock=clock
        ),
        sessions=SessionUseCases(unit_of_work, tokens=tokens, clock=clock),
        users=UserUseCases(unit_of_work, clock=clock),
        keys=SigningKeyUseCases(unit_of_work, policy=policy, clock=clock, key_algorithm=algorithm),
        service_accounts=ServiceAccountUseCases(
            unit_of_work, hasher=hasher, tokens=tokens, policy=policy, clock=clock
        ),
    )


def rpc_steps(settings: Settings, use_cases: AuthUseCases) -> list[RpcStep]:
    """The kit's pipeline, verifying tokens with this service's own keys."""
    return default_steps(settings, own_token_verifier(settings, use_cases.keys))


def servicers(use_cases: AuthUseCases) -> list[Servicer]:
    """Every servicer with its generated registration function."""
    return [
        (
            auth_service_pb2_grpc.add_AuthServiceServicer_to_server,
            AuthServicer(
                sign_in=use_cases.sign_in,
                sessions=use_cases.sessions,
                keys=use_cases.keys,
                service_accounts=use_cases.service_accounts,
            ),
        ),
        (user_service_pb2_grpc.add_UserServiceServicer_to_server, UserServicer(use_cases.users)),
    ]


def service_account_specs(settings: Settings) -> list[ServiceAccountSpec]:
    """The provisioned service accounts, secrets in clear for hashing."""
    return [
        ServiceAccountSpec(
            name=account.name,
            secret=account.secret.get_secret_value(),
            scopes=account.scopes,
            display_name=account.display_name,
        )
        for account in settings.service_accounts
    ]


def build_server(settings: Settings, use_cases: AuthUseCases) -> ServiceServer:
    """The gRPC server with every servicer registered (health and reflection come with it)."""
    server = ServiceServer(settings, steps=rpc_steps(settings, use_cases))
    for register, servicer in servicers(use_cases):
        server.add_servicer(register, servicer)
    return server


async def rotate_signing_keys(use_cases: AuthUseCases, stop: asyncio.Event) -> None:
    """Rotate the signing key whenever it reaches the rotation interval, until `stop`."""
    while not stop.is_set():
        try:
            await use_cases.keys.rotate_signing_key_if_due()
        except Exception:
            # The current key keeps signing; the next check tries again.
            _log.exception("signing_key_rotation_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ROTATION_CHECK_SECONDS)


async def serve() -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully."""
    settings = load_settings(Settings)
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    configure_tracing(settings.service_name, sample_ratio=settings.trace_sample_ratio)
    await upgrade_database(settings.database_url, MIGRATIONS)
    engine = create_database_engine(settings.database_url)
    sessions = session_factory(engine)
    use_cases = auth_use_cases(settings, sessions)
    await use_cases.service_accounts.provision(service_account_specs(settings))
    await use_cases.keys.rotate_signing_key_if_due()
    jwks = JwksEndpoint(use_cases.keys, settings.http_host, settings.http_port)
    stop = asyncio.Event()
    try:
        await jwks.start()
        async with (
            relaying_outbox(sessions, settings.kafka_bootstrap, client_id=settings.service_name),
            asyncio.TaskGroup() as background,
        ):
            background.create_task(rotate_signing_keys(use_cases, stop))
            try:
                await build_server(settings, use_cases).serve()
            finally:
                stop.set()
    finally:
        await jwks.stop()
        await engine.dispose()
