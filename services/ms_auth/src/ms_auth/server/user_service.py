"""knowledge.auth.v1.UserService on top of the user use cases."""

from __future__ import annotations

from typing import Any

import grpc
from knowledge.auth.v1 import user_service_pb2, user_service_pb2_grpc
from knowledge_kit.api import caller, update_paths

from ..contract_enums import platform_role_message, platform_role_of
from ..service.users import EDITABLE_FIELDS, UserUseCases
from .messages import user_message

Context = grpc.aio.ServicerContext[Any, Any]


class UserServicer(user_service_pb2_grpc.UserServiceServicer):
    """Maps each RPC to one use case."""

    def __init__(self, users: UserUseCases) -> None:
        self._users = users

    async def GetUser(
        self, request: user_service_pb2.GetUserRequest, context: Context
    ) -> user_service_pb2.GetUserResponse:
        user = await self._users.get_user(caller(), request.name)
        return user_service_pb2.GetUserResponse(user=user_message(user))

    async def ListUsers(
        self, request: user_service_pb2.ListUsersRequest, context: Context
    ) -> user_service_pb2.ListUsersResponse:
        page = await self._users.list_users(caller(), request.page_size, request.page_token)
        return user_service_pb2.ListUsersResponse(
            users=[user_message(user) for user in page.items],
            next_page_token=page.next_page_token,
        )

    async def UpdateUser(
        self, request: user_service_pb2.UpdateUserRequest, context: Context
    ) -> user_service_pb2.UpdateUserResponse:
        update_paths(request.update_mask, request.user, EDITABLE_FIELDS)
        user = await self._users.update_display_name(
            caller(), request.user.name, request.user.display_name
        )
        return user_service_pb2.UpdateUserResponse(user=user_message(user))

    async def GetUserRole(
        self, request: user_service_pb2.GetUserRoleRequest, context: Context
    ) -> user_service_pb2.GetUserRoleResponse:
        role = await self._users.get_role(caller(), request.name)
        return user_service_pb2.GetUserRoleResponse(role=platform_role_message(role))

    async def UpdateUserRole(
        self, request: user_service_pb2.UpdateUserRoleRequest, context: Context
    ) -> user_service_pb2.UpdateUserRoleResponse:
        user = await self._users.update_role(caller(), request.name, platform_role_of(request.role))
        return user_service_pb2.UpdateUserRoleResponse(user=user_message(user))
