"""The caller's role in a space, asked of ms_knowledge with the caller's own token.

ms_knowledge has no "my role" call, so this pages through ListSpaceMembers (which any member
may read) until it finds the caller. NOT_FOUND from ms_knowledge means not a member, or no
such space: either way, no access.
"""

from __future__ import annotations

import grpc
from knowledge.knowledge.v1 import space_service_pb2
from knowledge.knowledge.v1.space_service_pb2_grpc import SpaceServiceStub
from knowledge_kit.auth.principal import Principal
from knowledge_kit.errors import PermissionDeniedError

from ..domain.access import SpaceRole

PAGE_SIZE = 100
LIST_MEMBERS = "knowledge.knowledge.v1.SpaceService/ListSpaceMembers"


class KnowledgeSpaceRoles:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._spaces = SpaceServiceStub(channel)

    async def role_of(self, space: str, caller: Principal) -> SpaceRole | None:
        # Set explicitly: on a WebSocket connection there is no RPC whose token the kit's
        # channel could forward.
        metadata = (("authorization", f"Bearer {caller.token}"),)
        page_token = ""
        while True:
            try:
                page = await self._spaces.ListSpaceMembers(
                    space_service_pb2.ListSpaceMembersRequest(
                        parent=space, page_size=PAGE_SIZE, page_token=page_token
                    ),
                    metadata=metadata,
                )
            except grpc.aio.AioRpcError as refused:
                if refused.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
                    return None
                if refused.code() is grpc.StatusCode.UNAUTHENTICATED:
                    raise PermissionDeniedError("ms_knowledge did not accept the token") from None
                raise
            for member in page.members:
                if member.user == caller.name:
                    return SpaceRole(member.role) if member.role in (1, 2, 3) else None
            if not page.next_page_token:
                return None
            page_token = page.next_page_token
