"""UserService over gRPC: reading accounts, display names, and administrators changing roles."""

from __future__ import annotations

import grpc
from google.protobuf import field_mask_pb2
from knowledge.auth.v1 import user_pb2, user_service_pb2
from knowledge_kit.errors import field_violations_of

from ..conftest import ADMIN_EMAIL
from .conftest import RunningAuth, bearer, refusal


async def test_users_read_their_own_account_as_users_me(running: RunningAuth) -> None:
    ada = await running.register("ada@example.com")
    read = await running.users.GetUser(
        user_service_pb2.GetUserRequest(name="users/me"), metadata=bearer(ada.tokens.access_token)
    )
    assert (read.user.name, read.user.email) == (ada.user.name, "ada@example.com")


async def test_administrators_list_accounts_by_email_in_pages(running: RunningAuth) -> None:
    await running.register("zed@example.com")
    admin = await running.register(ADMIN_EMAIL)
    await running.register("amy@example.com")
    first = await running.users.ListUsers(
        user_service_pb2.ListUsersRequest(page_size=2), metadata=bearer(admin.tokens.access_token)
    )
    rest = await running.users.ListUsers(
        user_service_pb2.ListUsersRequest(page_size=2, page_token=first.next_page_token),
        metadata=bearer(admin.tokens.access_token),
    )
    assert [u.email for u in [*first.users, *rest.users]] == [
        "amy@example.com",
        ADMIN_EMAIL,
        "zed@example.com",
    ]


async def test_users_change_their_display_name(running: RunningAuth) -> None:
    ada = await running.register("ada@example.com")
    changed = await running.users.UpdateUser(
        user_service_pb2.UpdateUserRequest(
            user=user_pb2.User(name="users/me", display_name="Ada Lovelace"),
            update_mask=field_mask_pb2.FieldMask(paths=["display_name"]),
        ),
        metadata=bearer(ada.tokens.access_token),
    )
    assert changed.user.display_name == "Ada Lovelace"


async def test_only_the_display_name_may_be_changed(running: RunningAuth) -> None:
    ada = await running.register("ada@example.com")
    refused = await refusal(
        running.users.UpdateUser(
            user_service_pb2.UpdateUserRequest(
                user=user_pb2.User(name="users/me", email="eve@example.com"),
                update_mask=field_mask_pb2.FieldMask(paths=["email"]),
            ),
            metadata=bearer(ada.tokens.access_token),
        )
    )
    assert refused.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(refused)] == ["update_mask"]


async def test_administrators_change_roles_and_the_change_takes_effect_at_once(
    running: RunningAuth,
) -> None:
    ada = await running.register("ada@example.com")
    admin = await running.register(ADMIN_EMAIL)
    changed = await running.users.UpdateUserRole(
        user_service_pb2.UpdateUserRoleRequest(
            name=ada.user.name, role=user_pb2.PLATFORM_ROLE_ADMIN
        ),
        metadata=bearer(admin.tokens.access_token),
    )
    assert changed.user.role == user_pb2.PLATFORM_ROLE_ADMIN
    role = await running.users.GetUserRole(
        user_service_pb2.GetUserRoleRequest(name="users/me"),
        metadata=bearer(ada.tokens.access_token),
    )
    assert role.role == user_pb2.PLATFORM_ROLE_ADMIN
    listed = await running.users.ListUsers(
        user_service_pb2.ListUsersRequest(), metadata=bearer(ada.tokens.access_token)
    )
    assert len(listed.users) == 2


async def test_role_refusals(running: RunningAuth) -> None:
    admin = await running.register(ADMIN_EMAIL)
    unspecified = await refusal(
        running.users.UpdateUserRole(
            user_service_pb2.UpdateUserRoleRequest(name=admin.user.name),
            metadata=bearer(admin.tokens.access_token),
        )
    )
    assert unspecified.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(unspecified)] == ["role"]
    last_admin = await refusal(
        running.users.UpdateUserRole(
            user_service_pb2.UpdateUserRoleRequest(
                name=admin.user.name, role=user_pb2.PLATFORM_ROLE_MEMBER
            ),
            metadata=bearer(admin.tokens.access_token),
        )
    )
    assert last_admin.code() is grpc.StatusCode.FAILED_PRECONDITION
    missing = await refusal(
        running.users.GetUser(
            user_service_pb2.GetUserRequest(name=f"users/{'0' * 32}"),
            metadata=bearer(admin.tokens.access_token),
        )
    )
    assert missing.code() is grpc.StatusCode.NOT_FOUND
    malformed = await refusal(
        running.users.GetUser(
            user_service_pb2.GetUserRequest(name="people/ada"),
            metadata=bearer(admin.tokens.access_token),
        )
    )
    assert malformed.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(malformed)] == ["name"]
