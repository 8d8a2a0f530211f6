"""The domain's enums as the knowledge.auth.v1 contract spells them, both ways."""

from __future__ import annotations

from knowledge.auth.v1 import session_pb2, user_pb2

from .domain.sessions import SessionRevocationReason
from .domain.users import PlatformRole

PLATFORM_ROLES: dict[PlatformRole, user_pb2.PlatformRole.ValueType] = {
    PlatformRole.MEMBER: user_pb2.PLATFORM_ROLE_MEMBER,
    PlatformRole.ADMIN: user_pb2.PLATFORM_ROLE_ADMIN,
}

REVOCATION_REASONS: dict[SessionRevocationReason, session_pb2.SessionRevocationReason.ValueType] = {
    SessionRevocationReason.LOGOUT: session_pb2.SESSION_REVOCATION_REASON_LOGOUT,
    SessionRevocationReason.REFRESH_TOKEN_REUSE: (
        session_pb2.SESSION_REVOCATION_REASON_REFRESH_TOKEN_REUSE
    ),
    SessionRevocationReason.REVOKED: session_pb2.SESSION_REVOCATION_REASON_REVOKED,
}


def platform_role_message(role: PlatformRole) -> user_pb2.PlatformRole.ValueType:
    """`role` as the contract's PlatformRole value."""
    return PLATFORM_ROLES[role]


def platform_role_of(value: int) -> PlatformRole | None:
    """The domain role of a contract value; None for UNSPECIFIED or an unknown number."""
    return next((role for role, number in PLATFORM_ROLES.items() if number == value), None)
