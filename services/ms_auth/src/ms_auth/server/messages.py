"""Domain objects as knowledge.auth.v1 messages."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.auth.v1 import jwks_pb2, service_account_pb2, session_pb2, user_pb2
from knowledge_kit.auth import SigningKey

from ..contract_enums import platform_role_message
from ..domain.service_accounts import ServiceAccount
from ..domain.sessions import Session
from ..domain.users import User
from ..service.tokens import TokenPair


def timestamp(moment: datetime | None) -> Timestamp | None:
    """`moment` as a Timestamp; None stays unset."""
    if moment is None:
        return None
    message = Timestamp()
    message.FromDatetime(moment)
    return message


def user_message(user: User) -> user_pb2.User:
    return user_pb2.User(
        name=user.name,
        email=user.email,
        display_name=user.display_name,
        role=platform_role_message(user.role),
        create_time=timestamp(user.create_time),
        update_time=timestamp(user.update_time),
    )


def session_message(session: Session, *, current: bool) -> session_pb2.Session:
    return session_pb2.Session(
        name=session.name,
        user_agent=session.user_agent,
        ip_address=session.ip_address,
        create_time=timestamp(session.create_time),
        last_refresh_time=timestamp(session.last_refresh_time),
        expire_time=timestamp(session.expire_time),
        current=current,
    )


def token_pair_message(tokens: TokenPair) -> session_pb2.TokenPair:
    return session_pb2.TokenPair(
        access_token=tokens.access_token,
        access_token_expire_time=timestamp(tokens.access_token_expire_time),
        refresh_token=tokens.refresh_token,
        refresh_token_expire_time=timestamp(tokens.refresh_token_expire_time),
    )


def json_web_key_message(key: SigningKey) -> jwks_pb2.JsonWebKey:
    """The public half of `key`; fields its key type does not have stay empty."""
    jwk = key.public_jwk()
    return jwks_pb2.JsonWebKey(
        **{
            field: str(jwk[field])
            for field in ("kty", "kid", "use", "alg", "n", "e", "crv", "x", "y")
            if field in jwk
        }
    )


def service_account_message(account: ServiceAccount) -> service_account_pb2.ServiceAccount:
    return service_account_pb2.ServiceAccount(
        name=account.name,
        display_name=account.display_name,
        scopes=list(account.scopes),
        create_time=timestamp(account.create_time),
    )
