"""Register, Login and Logout over gRPC: happy paths and every refusal, with its status code."""

from __future__ import annotations

import grpc
from knowledge.auth.v1 import auth_service_pb2, user_pb2
from knowledge_kit.errors import field_violations_of

from ..conftest import ADMIN_EMAIL, PASSWORD
from .conftest import RunningAuth, refusal


async def test_register_returns_the_account_its_session_and_tokens(running: RunningAuth) -> None:
    registered = await running.auth.Register(
        auth_service_pb2.RegisterRequest(
            email="Ada@Example.com", password=PASSWORD, display_name="Ada", user_agent="firefox"
        )
    )
    assert registered.user.email == "ada@example.com"
    assert registered.user.display_name == "Ada"
    assert registered.user.role == user_pb2.PLATFORM_ROLE_MEMBER
    assert registered.session.name.startswith(f"{registered.user.name}/sessions/")
    assert (registered.session.user_agent, registered.session.ip_address) == (
        "firefox",
        "127.0.0.1",
    )
    assert registered.session.current
    assert registered.tokens.access_token.count(".") == 2
    assert registered.tokens.refresh_token
    assert (
        registered.tokens.access_token_expire_time.ToDatetime()
        < registered.tokens.refresh_token_expire_time.ToDatetime()
    )


async def test_configured_emails_register_as_administrators(running: RunningAuth) -> None:
    assert (await running.register(ADMIN_EMAIL)).user.role == user_pb2.PLATFORM_ROLE_ADMIN


async def test_bad_registrations_get_invalid_argument_naming_each_field(
    running: RunningAuth,
) -> None:
    refused = await refusal(
        running.auth.Register(
            auth_service_pb2.RegisterRequest(email="not-an-email", password="short")
        )
    )
    assert refused.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(refused)] == ["email", "password"]


async def test_an_email_registers_only_once(running: RunningAuth) -> None:
    await running.register("ada@example.com")
    refused = await refusal(running.register("ADA@example.com"))
    assert refused.code() is grpc.StatusCode.ALREADY_EXISTS


async def test_login_opens_another_session_of_the_same_account(running: RunningAuth) -> None:
    registered = await running.register("ada@example.com")
    logged_in = await running.auth.Login(
        auth_service_pb2.LoginRequest(email="ada@example.com", password=PASSWORD)
    )
    assert logged_in.user.name == registered.user.name
    assert logged_in.session.name != registered.session.name


async def test_a_wrong_password_is_unauthenticated(running: RunningAuth) -> None:
    await running.register("ada@example.com")
    refused = await refusal(
        running.auth.Login(
            auth_service_pb2.LoginRequest(email="ada@example.com", password="not the password")
        )
    )
    assert refused.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_repeated_failures_lock_the_account_out(running: RunningAuth) -> None:
    await running.register("ada@example.com")
    wrong = auth_service_pb2.LoginRequest(email="ada@example.com", password="not the password")
    for _ in range(3):  # the test settings lock after three failures
        refused = await refusal(running.auth.Login(wrong))
        assert refused.code() is grpc.StatusCode.UNAUTHENTICATED
    locked = await refusal(
        running.auth.Login(
            auth_service_pb2.LoginRequest(email="ada@example.com", password=PASSWORD)
        )
    )
    assert locked.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_malformed_login_names_the_field(running: RunningAuth) -> None:
    refused = await refusal(
        running.auth.Login(auth_service_pb2.LoginRequest(email="ada@example.com"))
    )
    assert refused.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(refused)] == ["password"]


async def test_logout_ends_the_session(running: RunningAuth) -> None:
    registered = await running.register("ada@example.com")
    await running.auth.Logout(
        auth_service_pb2.LogoutRequest(refresh_token=registered.tokens.refresh_token)
    )
    refused = await refusal(
        running.auth.RefreshToken(
            auth_service_pb2.RefreshTokenRequest(refresh_token=registered.tokens.refresh_token)
        )
    )
    assert refused.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_logout_with_an_unknown_token_is_unauthenticated(running: RunningAuth) -> None:
    refused = await refusal(
        running.auth.Logout(auth_service_pb2.LogoutRequest(refresh_token="made-up"))
    )
    assert refused.code() is grpc.StatusCode.UNAUTHENTICATED
