"""The Auth use cases wired to in-memory repositories, a settable clock and cheap argon2id."""

from __future__ import annotations

from dataclasses import dataclass

import jwt
import pytest
from knowledge_kit.api import PageTokens
from knowledge_kit.auth import Principal

from ms_auth.service.password_hashing import Argon2PasswordHasher
from ms_auth.service.policy import AuthPolicy
from ms_auth.service.service_accounts import ServiceAccountUseCases
from ms_auth.service.sessions import SessionUseCases
from ms_auth.service.sign_in import ClientDetails, SignedIn, SignInUseCases
from ms_auth.service.signing_keys import SigningKeyUseCases
from ms_auth.service.tokens import TokenIssuer
from ms_auth.service.users import UserUseCases

from .fakes import FakeClock, FakeStore

ISSUER = "knowledge-auth"
AUDIENCE = "knowledge-platform"
ADMIN_EMAIL = "root@example.com"
PASSWORD = "correct horse battery"
CLIENT = ClientDetails(user_agent="pytest", ip_address="127.0.0.1")


@dataclass
class Auth:
    """Every use case of the service over one store and one clock."""

    store: FakeStore
    clock: FakeClock
    policy: AuthPolicy
    sign_in: SignInUseCases
    sessions: SessionUseCases
    users: UserUseCases
    keys: SigningKeyUseCases
    service_accounts: ServiceAccountUseCases

    async def register(self, email: str, password: str = PASSWORD) -> SignedIn:
        return await self.sign_in.register(email, password, "", CLIENT)

    async def claims(self, token: str) -> dict[str, object]:
        """The claims of `token`, verified against the published keys as any service would."""
        keys = {key.kid: key for key in await self.keys.published_keys()}
        kid = jwt.get_unverified_header(token)["kid"]
        if kid not in keys:
            raise jwt.InvalidKeyError(f"{kid} is not published")
        jwk = jwt.PyJWK(keys[kid].public_jwk())
        claims: dict[str, object] = jwt.decode(
            token, jwk, algorithms=["EdDSA"], audience=AUDIENCE, issuer=ISSUER
        )
        return claims

    async def principal(self, signed_in: SignedIn) -> Principal:
        claims = await self.claims(signed_in.tokens.access_token)
        roles = claims["roles"]
        assert isinstance(roles, list)
        return Principal(
            name=str(claims["sub"]), roles=frozenset(roles), session_id=str(claims["sid"])
        )


@pytest.fixture
def auth() -> Auth:
    store, clock = FakeStore(), FakeClock()
    policy = AuthPolicy(issuer=ISSUER, audience=AUDIENCE, admin_emails=frozenset({ADMIN_EMAIL}))
    hasher = Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1)
    tokens = TokenIssuer(policy, clock)
    uow = store.unit_of_work
    pages = PageTokens(b"unit tests")
    return Auth(
        store=store,
        clock=clock,
        policy=policy,
        sign_in=SignInUseCases(uow, hasher=hasher, tokens=tokens, policy=policy, clock=clock),
        sessions=SessionUseCases(uow, tokens=tokens, pages=pages, clock=clock),
        users=UserUseCases(uow, pages=pages, clock=clock),
        keys=SigningKeyUseCases(uow, policy=policy, clock=clock),
        service_accounts=ServiceAccountUseCases(
            uow, hasher=hasher, tokens=tokens, policy=policy, clock=clock
        ),
    )
