"""The platform's API conventions hold for every List and Update RPC this service serves; a new
RPC fails here until it gets a seed recipe below."""

from __future__ import annotations

import itertools

import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.auth.v1 import auth_service_pb2, user_pb2, user_service_pb2
from knowledge_kit.testing.api_contract import CONVENTIONS, ApiContract, ListCase, UpdateCase

from ..conftest import ADMIN_EMAIL, PASSWORD
from .conftest import RunningAuth, bearer


class People:
    """Accounts for the seeds: one administrator, signed in again for every seed, and new
    members."""

    def __init__(self, running: RunningAuth) -> None:
        self._running = running
        self._numbers = itertools.count(1)
        self._admin: auth_service_pb2.RegisterResponse | None = None

    async def member(self) -> auth_service_pb2.RegisterResponse:
        return await self._running.register(f"member{next(self._numbers)}@example.com")

    async def admin(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The administrator's name and the metadata of a fresh session of theirs."""
        if self._admin is None:
            self._admin = await self._running.register(ADMIN_EMAIL)
            return self._admin.user.name, bearer(self._admin.tokens.access_token)
        signed_in = await self._running.auth.Login(
            auth_service_pb2.LoginRequest(email=ADMIN_EMAIL, password=PASSWORD, user_agent="pytest")
        )
        return signed_in.user.name, bearer(signed_in.tokens.access_token)


def seeds(running: RunningAuth) -> ApiContract:
    """A seed recipe for each List and Update RPC of the service."""
    people = People(running)

    async def users() -> ListCase:
        await people.member()
        _, admin = await people.admin()
        return ListCase(user_service_pb2.ListUsersRequest(), admin)

    async def sessions() -> ListCase:
        await people.admin()
        _, admin = await people.admin()  # the administrator has two sessions open now
        other = await people.member()
        return ListCase(
            auth_service_pb2.ListSessionsRequest(parent="users/me"),
            admin,
            (auth_service_pb2.ListSessionsRequest(parent=other.user.name), admin),
        )

    async def update_user() -> UpdateCase:
        member = await people.member()
        request = user_service_pb2.UpdateUserRequest(
            user=user_pb2.User(name="users/me", display_name="Renamed"),
            update_mask=FieldMask(paths=["display_name"]),
        )
        return UpdateCase(request, bearer(member.tokens.access_token))

    async def update_role() -> UpdateCase:
        member = await people.member()
        _, admin = await people.admin()
        request = user_service_pb2.UpdateUserRoleRequest(
            name=member.user.name, role=user_pb2.PLATFORM_ROLE_ADMIN
        )
        return UpdateCase(request, admin)

    return ApiContract(
        running.channel,
        lists={
            "knowledge.auth.v1.UserService.ListUsers": users,
            "knowledge.auth.v1.AuthService.ListSessions": sessions,
        },
        updates={
            "knowledge.auth.v1.UserService.UpdateUser": update_user,
            "knowledge.auth.v1.UserService.UpdateUserRole": update_role,
        },
    )


@pytest.fixture
def contract(running: RunningAuth) -> ApiContract:
    return seeds(running)


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_the_platform_api_conventions_hold(contract: ApiContract, convention: str) -> None:
    await contract.check(convention)
