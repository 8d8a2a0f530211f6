"""The composition root: the use cases, servicers and the JWKS endpoint on the database, wired
once; the kit's runtime migrates, relays the outbox, serves and stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import structlog
from knowledge.auth.v1 import auth_service_pb2_grpc, user_service_pb2_grpc
from knowledge_kit.api import Clock, PageTokens, utc_now
from knowledge_kit.events.outbox import Outbox
from knowledge_kit.rpc import RpcStep, ServiceServer, default_steps
from knowledge_kit.runtime import Registration, ServiceContext, ServiceParts, run_service
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
from .service.policy import AuthPolicy
from .service.service_accounts import ServiceAccountSpec, ServiceAccountUseCases
from .service.sessions import SessionUseCases
from .service.sign_in import SignInUseCases
from .service.signing_keys import SigningKeyUseCases
from .service.tokens import TokenIssuer
from .service.users import UserUseCases

MIGRATIONS = Path(__file__).parent / "migrations"
ROTATION_CHECK_SECONDS = 3600.0
_log = structlog.get_logger("ms_auth")


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
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock = utc_now,
    outbox: Outbox | None = None,
) -> AuthUseCases:
    """The use cases on the database behind `sessions`; events go to `outbox` (the runtime's,
    limited to the produced topics; by default one open to any topic)."""
    policy = auth_policy(settings)
    passphrase = settings.signing_key_passphrase
    codec = PrivateKeyCodec(passphrase.get_secret_value().encode() if passphrase else None)
    outbox = outbox or Outbox(settings.service_name)

    def unit_of_work() -> SqlAuthUnitOfWork:
        return SqlAuthUnitOfWork(sessions, codec=codec, outbox=outbox)

    hasher = Argon2PasswordHasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost_kib=settings.password_hash_memory_kib,
        parallelism=settings.password_hash_parallelism,
    )
    algorithm = settings.signing_key_algorithm
    tokens = TokenIssuer(policy, clock, key_algorithm=algorithm)
    pages = PageTokens.for_service(settings)
    return AuthUseCases(
        sign_in=SignInUseCases(
            unit_of_work, hasher=hasher, tokens=tokens, policy=policy, clock=clock
        ),
        sessions=SessionUseCases(unit_of_work, tokens=tokens, pages=pages, clock=clock),
        users=UserUseCases(unit_of_work, pages=pages, clock=clock),
        keys=SigningKeyUseCases(unit_of_work, policy=policy, clock=clock, key_algorithm=algorithm),
        service_accounts=ServiceAccountUseCases(
            unit_of_work, hasher=hasher, tokens=tokens, policy=policy, clock=clock
        ),
    )


def rpc_steps(settings: Settings, use_cases: AuthUseCases) -> list[RpcStep]:
    """The kit's pipeline, verifying tokens with this service's own keys."""
    return default_steps(settings, own_token_verifier(settings, use_cases.keys))


def servicers(use_cases: AuthUseCases) -> list[Registration]:
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


@asynccontextmanager
async def serving_jwks(settings: Settings, use_cases: AuthUseCases) -> AsyncIterator[JwksEndpoint]:
    """The JWKS over HTTP while the block runs."""
    jwks = JwksEndpoint(use_cases.keys, settings.http_host, settings.http_port)
    await jwks.start()
    try:
        yield jwks
    finally:
        await jwks.stop()


async def auth_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """The use cases with provisioned service accounts and a current signing key, behind the
    servicers, the JWKS endpoint and the key rotation."""
    settings = context.settings
    use_cases = auth_use_cases(settings, context.sessions, outbox=context.outbox)
    await use_cases.service_accounts.provision(service_account_specs(settings))
    await use_cases.keys.rotate_signing_key_if_due()

    async def rotate_keys(stop: asyncio.Event) -> None:
        await rotate_signing_keys(use_cases, stop)

    return ServiceParts(
        servicers=servicers(use_cases),
        steps=rpc_steps(settings, use_cases),
        lifecycles=[serving_jwks(settings, use_cases)],
        background=[rotate_keys],
    )


async def serve() -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully."""
    await run_service(Settings, auth_parts, migrations=MIGRATIONS)
