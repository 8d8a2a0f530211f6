"""Who may call what: no token, expired or foreign tokens, members on administrator RPCs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2
from knowledge.auth.v1 import auth_service_pb2, user_pb2, user_service_pb2
from knowledge_kit.auth import SigningKey

from .conftest import RunningAuth, bearer, refusal

Call = Callable[[RunningAuth, str, tuple[tuple[str, str], ...]], Awaitable[Any]]

AUTHENTICATED_CALLS: dict[str, Call] = {
    "ListSessions": lambda r, user, md: r.auth.ListSessions(
        auth_service_pb2.ListSessionsRequest(parent="users/me"), metadata=md
    ),
    "RevokeSession": lambda r, user, md: r.auth.RevokeSession(
        auth_service_pb2.RevokeSessionRequest(name=f"{user}/sessions/{'0' * 32}"), metadata=md
    ),
    "GetUser": lambda r, user, md: r.users.GetUser(
        user_service_pb2.GetUserRequest(name=user), metadata=md
    ),
    "ListUsers": lambda r, user, md: r.users.ListUsers(
        user_service_pb2.ListUsersRequest(), metadata=md
    ),
    "UpdateUser": lambda r, user, md: r.users.UpdateUser(
        user_service_pb2.UpdateUserRequest(
            user=user_pb2.User(name=user, display_name="Eve"),
            update_mask=field_mask_pb2.FieldMask(paths=["display_name"]),
        ),
        metadata=md,
    ),
    "GetUserRole": lambda r, user, md: r.users.GetUserRole(
        user_service_pb2.GetUserRoleRequest(name=user), metadata=md
    ),
    "UpdateUserRole": lambda r, user, md: r.users.UpdateUserRole(
        user_service_pb2.UpdateUserRoleRequest(name=user, role=user_pb2.PLATFORM_ROLE_ADMIN),
        metadata=md,
    ),
}


async def expired_token(running: RunningAuth, subject: str) -> str:
    """A token signed with the service's own key that expired two minutes ago."""
    key = (await running.use_cases.keys.published_keys())[0]
    return key.issue(
        subject=subject,
        issuer="knowledge-auth",
        audience="knowledge-platform",
        roles=["admin"],
        ttl_seconds=-120,
    )


@pytest.mark.parametrize("rpc", sorted(AUTHENTICATED_CALLS))
async def test_calls_without_a_token_are_unauthenticated(running: RunningAuth, rpc: str) -> None:
    ada = await running.register("ada@example.com")
    refused = await refusal(AUTHENTICATED_CALLS[rpc](running, ada.user.name, ()))
    assert refused.code() is grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("rpc", sorted(AUTHENTICATED_CALLS))
async def test_expired_tokens_are_unauthenticated(running: RunningAuth, rpc: str) -> None:
    ada = await running.register("ada@example.com")
    token = await expired_token(running, ada.user.name)
    refused = await refusal(AUTHENTICATED_CALLS[rpc](running, ada.user.name, bearer(token)))
    assert refused.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_tokens_signed_by_a_foreign_key_are_unauthenticated(running: RunningAuth) -> None:
    ada = await running.register("ada@example.com")
    forged = SigningKey.generate().issue(
        subject=ada.user.name,
        issuer="knowledge-auth",
        audience="knowledge-platform",
        roles=["admin"],
    )
    refused = await refusal(
        running.users.ListUsers(user_service_pb2.ListUsersRequest(), metadata=bearer(forged))
    )
    assert refused.code() is grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("rpc", ["ListUsers", "UpdateUserRole"])
async def test_members_calling_administrator_rpcs_are_permission_denied(
    running: RunningAuth, rpc: str
) -> None:
    ada = await running.register("ada@example.com")
    refused = await refusal(
        AUTHENTICATED_CALLS[rpc](running, ada.user.name, bearer(ada.tokens.access_token))
    )
    assert refused.code() is grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize("rpc", ["GetUser", "GetUserRole", "UpdateUser", "RevokeSession"])
async def test_members_touching_another_account_are_permission_denied(
    running: RunningAuth, rpc: str
) -> None:
    ada = await running.register("ada@example.com")
    eve = await running.register("eve@example.com")
    refused = await refusal(
        AUTHENTICATED_CALLS[rpc](running, ada.user.name, bearer(eve.tokens.access_token))
    )
    assert refused.code() is grpc.StatusCode.PERMISSION_DENIED
    assert "ada@example.com" not in (refused.details() or "")


async def test_a_persons_token_without_a_session_is_unauthenticated(running: RunningAuth) -> None:
    ada = await running.register("ada@example.com")
    key = (await running.use_cases.keys.published_keys())[0]
    sessionless = key.issue(
        subject=ada.user.name, issuer="knowledge-auth", audience="knowledge-platform"
    )
    refused = await refusal(
        running.users.GetUser(
            user_service_pb2.GetUserRequest(name="users/me"), metadata=bearer(sessionless)
        )
    )
    assert refused.code() is grpc.StatusCode.UNAUTHENTICATED
