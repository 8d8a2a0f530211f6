"""knowledge.knowledge.v1.SpaceService on top of the space and member use cases."""

from __future__ import annotations

from typing import Any

import grpc
from knowledge.knowledge.v1 import space_service_pb2 as api
from knowledge.knowledge.v1 import space_service_pb2_grpc
from knowledge_kit.api import caller_name, update_paths

from ..service.members import MemberUseCases
from ..service.spaces import UPDATABLE_SPACE_FIELDS, SpaceChanges, SpaceUseCases
from .messages import member_message, role_of, space_message

Context = grpc.aio.ServicerContext[Any, Any]


class SpaceServicer(space_service_pb2_grpc.SpaceServiceServicer):
    """Maps each RPC to one use case; every use case checks the caller's role itself."""

    def __init__(self, spaces: SpaceUseCases, members: MemberUseCases) -> None:
        self._spaces = spaces
        self._members = members

    async def CreateSpace(
        self, request: api.CreateSpaceRequest, context: Context
    ) -> api.CreateSpaceResponse:
        space = await self._spaces.create_space(
            caller_name(),
            space_id=request.space_id,
            display_name=request.space.display_name,
            description=request.space.description,
        )
        return api.CreateSpaceResponse(space=space_message(space))

    async def GetSpace(
        self, request: api.GetSpaceRequest, context: Context
    ) -> api.GetSpaceResponse:
        space = await self._spaces.get_space(caller_name(), request.name)
        return api.GetSpaceResponse(space=space_message(space))

    async def ListSpaces(
        self, request: api.ListSpacesRequest, context: Context
    ) -> api.ListSpacesResponse:
        page = await self._spaces.list_spaces(caller_name(), request.page_size, request.page_token)
        return api.ListSpacesResponse(
            spaces=[space_message(space) for space in page.items],
            next_page_token=page.next_page_token,
        )

    async def UpdateSpace(
        self, request: api.UpdateSpaceRequest, context: Context
    ) -> api.UpdateSpaceResponse:
        changes = SpaceChanges(
            paths=update_paths(request.update_mask, request.space, UPDATABLE_SPACE_FIELDS),
            display_name=request.space.display_name,
            description=request.space.description,
        )
        space = await self._spaces.update_space(
            caller_name(), request.space.name, changes, etag=request.space.etag
        )
        return api.UpdateSpaceResponse(space=space_message(space))

    async def DeleteSpace(
        self, request: api.DeleteSpaceRequest, context: Context
    ) -> api.DeleteSpaceResponse:
        await self._spaces.delete_space(caller_name(), request.name, etag=request.etag)
        return api.DeleteSpaceResponse()

    async def InviteSpaceMember(
        self, request: api.InviteSpaceMemberRequest, context: Context
    ) -> api.InviteSpaceMemberResponse:
        member = await self._members.invite_member(
            caller_name(), request.parent, request.user, role_of(request.role)
        )
        return api.InviteSpaceMemberResponse(member=member_message(member))

    async def UpdateSpaceMember(
        self, request: api.UpdateSpaceMemberRequest, context: Context
    ) -> api.UpdateSpaceMemberResponse:
        member = await self._members.change_role(caller_name(), request.name, role_of(request.role))
        return api.UpdateSpaceMemberResponse(member=member_message(member))

    async def RemoveSpaceMember(
        self, request: api.RemoveSpaceMemberRequest, context: Context
    ) -> api.RemoveSpaceMemberResponse:
        await self._members.remove_member(caller_name(), request.name)
        return api.RemoveSpaceMemberResponse()

    async def ListSpaceMembers(
        self, request: api.ListSpaceMembersRequest, context: Context
    ) -> api.ListSpaceMembersResponse:
        page = await self._members.list_members(
            caller_name(), request.parent, request.page_size, request.page_token
        )
        return api.ListSpaceMembersResponse(
            members=[member_message(member) for member in page.items],
            next_page_token=page.next_page_token,
        )
