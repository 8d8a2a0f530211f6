"""RefreshToken, ListSessions and RevokeSession over gRPC, including reuse detection."""

from __future__ import annotations

import grpc
from knowledge.auth.v1 import auth_service_pb2

from ..conftest import ADMIN_EMAIL, PASSWORD
from .conftest import RunningAuth, bearer, refusal


async def test_refresh_rotates_the_pair(running: RunningAuth) -> None:
    registered = await running.register("ada@example.com")
    renewed = await running.auth.RefreshToken(
        auth_service_pb2.RefreshTokenRequest(refresh_token=registered.tokens.refresh_token)
    )
    assert renewed.tokens.refresh_token != registered.tokens.refresh_token
    sessions = await running.auth.ListSessions(
        auth_service_pb2.ListSessionsRequest(parent="users/me"),
        metadata=bearer(renewed.tokens.access_token),
    )
    assert [s.name for s in sessions.sessions] == [registered.session.name]
    assert sessions.sessions[0].HasField("last_refresh_time")


async def test_reusing_a_refresh_token_revokes_the_whole_session(running: RunningAuth) -> None:
    registered = await running.register("ada@example.com")
    stolen = registered.tokens.refresh_token
    renewed = await running.auth.RefreshToken(
        auth_service_pb2.RefreshTokenRequest(refresh_token=stolen)
    )
    reused = await refusal(
        running.auth.RefreshToken(auth_service_pb2.RefreshTokenRequest(refresh_token=stolen))
    )
    assert reused.code() is grpc.StatusCode.UNAUTHENTICATED
    family = await refusal(
        running.auth.RefreshToken(
            auth_service_pb2.RefreshTokenRequest(refresh_token=renewed.tokens.refresh_token)
        )
    )
    assert family.code() is grpc.StatusCode.UNAUTHENTICATED
    access = await refusal(
        running.auth.ListSessions(
            auth_service_pb2.ListSessionsRequest(parent="users/me"),
            metadata=bearer(renewed.tokens.access_token),
        )
    )
    assert access.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_an_empty_refresh_token_is_invalid_argument(running: RunningAuth) -> None:
    refused = await refusal(running.auth.RefreshToken(auth_service_pb2.RefreshTokenRequest()))
    assert refused.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_sessions_are_listed_newest_first_with_the_current_one_marked(
    running: RunningAuth,
) -> None:
    first = await running.register("ada@example.com")
    second = await running.auth.Login(
        auth_service_pb2.LoginRequest(email="ada@example.com", password=PASSWORD)
    )
    page = await running.auth.ListSessions(
        auth_service_pb2.ListSessionsRequest(parent=first.user.name, page_size=1),
        metadata=bearer(first.tokens.access_token),
    )
    rest = await running.auth.ListSessions(
        auth_service_pb2.ListSessionsRequest(
            parent=first.user.name, page_size=1, page_token=page.next_page_token
        ),
        metadata=bearer(first.tokens.access_token),
    )
    assert [s.name for s in [*page.sessions, *rest.sessions]] == [
        second.session.name,
        first.session.name,
    ]
    assert [s.current for s in [*page.sessions, *rest.sessions]] == [False, True]
    assert rest.next_page_token == ""


async def test_a_revoked_session_stops_working_at_once(running: RunningAuth) -> None:
    first = await running.register("ada@example.com")
    second = await running.auth.Login(
        auth_service_pb2.LoginRequest(email="ada@example.com", password=PASSWORD)
    )
    await running.auth.RevokeSession(
        auth_service_pb2.RevokeSessionRequest(name=second.session.name),
        metadata=bearer(first.tokens.access_token),
    )
    refresh = await refusal(
        running.auth.RefreshToken(
            auth_service_pb2.RefreshTokenRequest(refresh_token=second.tokens.refresh_token)
        )
    )
    assert refresh.code() is grpc.StatusCode.UNAUTHENTICATED
    access = await refusal(
        running.auth.ListSessions(
            auth_service_pb2.ListSessionsRequest(parent="users/me"),
            metadata=bearer(second.tokens.access_token),
        )
    )
    assert access.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_members_cannot_list_or_revoke_another_users_sessions(running: RunningAuth) -> None:
    ada = await running.register("ada@example.com")
    bob = await running.register("bob@example.com")
    listing = await refusal(
        running.auth.ListSessions(
            auth_service_pb2.ListSessionsRequest(parent=ada.user.name),
            metadata=bearer(bob.tokens.access_token),
        )
    )
    assert listing.code() is grpc.StatusCode.PERMISSION_DENIED
    revoking = await refusal(
        running.auth.RevokeSession(
            auth_service_pb2.RevokeSessionRequest(name=ada.session.name),
            metadata=bearer(bob.tokens.access_token),
        )
    )
    assert revoking.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_administrators_revoke_anyones_session(running: RunningAuth) -> None:
    ada = await running.register("ada@example.com")
    admin = await running.register(ADMIN_EMAIL)
    await running.auth.RevokeSession(
        auth_service_pb2.RevokeSessionRequest(name=ada.session.name),
        metadata=bearer(admin.tokens.access_token),
    )
    refused = await refusal(
        running.auth.RefreshToken(
            auth_service_pb2.RefreshTokenRequest(refresh_token=ada.tokens.refresh_token)
        )
    )
    assert refused.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_session_refusals_name_the_field_or_the_missing_session(
    running: RunningAuth,
) -> None:
    ada = await running.register("ada@example.com")
    malformed = await refusal(
        running.auth.RevokeSession(
            auth_service_pb2.RevokeSessionRequest(name="sessions/1"),
            metadata=bearer(ada.tokens.access_token),
        )
    )
    assert malformed.code() is grpc.StatusCode.INVALID_ARGUMENT
    missing = await refusal(
        running.auth.RevokeSession(
            auth_service_pb2.RevokeSessionRequest(name=f"{ada.user.name}/sessions/{'0' * 32}"),
            metadata=bearer(ada.tokens.access_token),
        )
    )
    assert missing.code() is grpc.StatusCode.NOT_FOUND
    negative = await refusal(
        running.auth.ListSessions(
            auth_service_pb2.ListSessionsRequest(parent="users/me", page_size=-1),
            metadata=bearer(ada.tokens.access_token),
        )
    )
    assert negative.code() is grpc.StatusCode.INVALID_ARGUMENT
