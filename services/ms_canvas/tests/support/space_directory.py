"""ms_knowledge's SpaceService as ms_canvas uses it: who belongs to a space, in which role.

ms_canvas asks ms_knowledge only ListSpaceMembers; this serves that one method over real gRPC,
behind the kit's token checks, from members the test sets. As ms_knowledge does, a caller
who is not a member of the space (or a space that does not exist) gets NOT_FOUND.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import grpc
from knowledge.knowledge.v1 import space_pb2, space_service_pb2
from knowledge.knowledge.v1.space_service_pb2_grpc import (
    SpaceServiceServicer,
    add_SpaceServiceServicer_to_server,
)
from knowledge_kit.api import caller
from knowledge_kit.rpc import ServiceServer
from knowledge_kit.settings import ServiceSettings
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint

Role: TypeAlias = space_pb2.SpaceRole.ValueType


class SpaceDirectory(SpaceServiceServicer):
    """Spaces and their members, as the test set them."""

    def __init__(self) -> None:
        self.members: dict[str, dict[str, Role]] = {}

    def add_space(self, space: str, members: Mapping[str, Role]) -> None:
        """`space` with `members` (`users/{id}` -> role), replacing any earlier members."""
        self.members[space] = dict(members)

    async def ListSpaceMembers(
        self, request: space_service_pb2.ListSpaceMembersRequest, context: Any
    ) -> space_service_pb2.ListSpaceMembersResponse:
        members = self.members.get(request.parent, {})
        if caller().name not in members:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"{request.parent} does not exist")
        offset = int(request.page_token or 0)
        size = request.page_size or 50
        listed = sorted(members.items())
        page = listed[offset : offset + size]
        return space_service_pb2.ListSpaceMembersResponse(
            members=[
                space_pb2.SpaceMember(
                    name=f"{request.parent}/members/{user.removeprefix('users/')}",
                    user=user,
                    role=role,
                )
                for user, role in page
            ],
            next_page_token=str(offset + size) if offset + size < len(listed) else "",
        )


@asynccontextmanager
async def serving_space_directory(jwks: JwksEndpoint) -> AsyncIterator[tuple[SpaceDirectory, str]]:
    """A SpaceDirectory on a loopback port, trusting `jwks`; yields it and its target."""
    settings = ServiceSettings(
        service_name="ms_knowledge",
        grpc_host="127.0.0.1",
        grpc_port=0,
        auth_jwks_url=jwks.url,
        auth_issuer=jwks.issuer,
        auth_audience=jwks.audience,
        shutdown_grace_seconds=0,
    )
    # The base class answers every other SpaceService method UNIMPLEMENTED.
    directory = SpaceDirectory()  # type: ignore[abstract]
    server = ServiceServer(settings)
    server.add_servicer(add_SpaceServiceServicer_to_server, directory)
    port = await server.start()
    try:
        yield directory, f"127.0.0.1:{port}"
    finally:
        await server.stop(0)
