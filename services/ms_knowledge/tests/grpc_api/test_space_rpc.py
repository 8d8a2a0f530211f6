"""SpaceService over gRPC: each RPC's happy path and its refusals, with the status codes clients see."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.knowledge.v1 import space_pb2 as space_api
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc
from knowledge_kit.errors import field_violations_of

from .conftest import KnowledgeApi

OWNER, EDITOR, VIEWER = "users/olivia", "users/eddie", "users/vera"


async def test_a_space_is_created_read_listed_renamed_and_deleted(api: KnowledgeApi) -> None:
    owner = api.as_user(OWNER)
    created = (
        await api.spaces.CreateSpace(
            api_create("Team handbook", space_id="handbook"), metadata=owner
        )
    ).space
    renamed = (
        await api.spaces.UpdateSpace(
            api_update(created, "Handbook"),
            metadata=owner,
        )
    ).space
    listed = await api.spaces.ListSpaces(space_rpc.ListSpacesRequest(), metadata=owner)

    assert created.name == "spaces/handbook"
    assert (renamed.display_name, renamed.description) == ("Handbook", "what we know")
    assert renamed.etag != created.etag
    assert [space.name for space in listed.spaces] == ["spaces/handbook"]
    got = await api.spaces.GetSpace(space_rpc.GetSpaceRequest(name=created.name), metadata=owner)
    assert got.space == renamed

    await api.spaces.DeleteSpace(
        space_rpc.DeleteSpaceRequest(name=created.name, etag=renamed.etag), metadata=owner
    )
    with pytest.raises(grpc.aio.AioRpcError) as gone:
        await api.spaces.GetSpace(space_rpc.GetSpaceRequest(name=created.name), metadata=owner)
    assert gone.value.code() is grpc.StatusCode.NOT_FOUND


async def test_spaces_are_listed_page_by_page(api: KnowledgeApi) -> None:
    owner = api.as_user(OWNER)
    for display_name in ("C", "A", "B"):
        await api.spaces.CreateSpace(api_create(display_name), metadata=owner)

    first = await api.spaces.ListSpaces(space_rpc.ListSpacesRequest(page_size=2), metadata=owner)
    second = await api.spaces.ListSpaces(
        space_rpc.ListSpacesRequest(page_size=2, page_token=first.next_page_token), metadata=owner
    )

    assert [s.display_name for s in [*first.spaces, *second.spaces]] == ["A", "B", "C"]
    assert second.next_page_token == ""


@pytest.mark.parametrize(
    ("request_message", "field"),
    [
        (
            space_rpc.CreateSpaceRequest(space=space_api.Space(display_name="")),
            "space.display_name",
        ),
        (
            space_rpc.CreateSpaceRequest(
                space=space_api.Space(display_name="X"), space_id="No_Caps"
            ),
            "space_id",
        ),
    ],
)
async def test_bad_spaces_are_invalid_naming_the_field(
    api: KnowledgeApi, request_message: space_rpc.CreateSpaceRequest, field: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await api.spaces.CreateSpace(request_message, metadata=api.as_user(OWNER))

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(refused.value)] == [field]


async def test_refusals_of_space_changes(api: KnowledgeApi) -> None:
    owner = api.as_user(OWNER)
    space = (await api.spaces.CreateSpace(api_create("S", space_id="s"), metadata=owner)).space
    await api.spaces.UpdateSpace(api_update(space, "First"), metadata=owner)

    with pytest.raises(grpc.aio.AioRpcError) as taken:
        await api.spaces.CreateSpace(api_create("Again", space_id="s"), metadata=owner)
    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await api.spaces.UpdateSpace(api_update(space, "Second"), metadata=owner)
    with pytest.raises(grpc.aio.AioRpcError) as blind:
        await api.spaces.UpdateSpace(
            api_update(space_api.Space(name=space.name), "Blind"), metadata=owner
        )
    with pytest.raises(grpc.aio.AioRpcError) as bad_mask:
        await api.spaces.UpdateSpace(
            space_rpc.UpdateSpaceRequest(space=space, update_mask=FieldMask(paths=["create_time"])),
            metadata=owner,
        )

    assert taken.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert stale.value.code() is grpc.StatusCode.ABORTED
    assert blind.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(blind.value)] == ["space.etag"]
    assert bad_mask.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(bad_mask.value)] == ["update_mask"]
    current = await api.spaces.GetSpace(space_rpc.GetSpaceRequest(name=space.name), metadata=owner)
    assert current.space.display_name == "First"


async def test_owners_manage_members_and_a_space_keeps_an_owner(api: KnowledgeApi) -> None:
    owner = api.as_user(OWNER)
    space = await api.space_with(OWNER, eddie=space_api.SPACE_ROLE_EDITOR)

    invited = await api.spaces.InviteSpaceMember(
        space_rpc.InviteSpaceMemberRequest(
            parent=space, user=VIEWER, role=space_api.SPACE_ROLE_VIEWER
        ),
        metadata=owner,
    )
    promoted = await api.spaces.UpdateSpaceMember(
        space_rpc.UpdateSpaceMemberRequest(
            name=invited.member.name, role=space_api.SPACE_ROLE_EDITOR
        ),
        metadata=owner,
    )
    with pytest.raises(grpc.aio.AioRpcError) as twice:
        await api.spaces.InviteSpaceMember(
            space_rpc.InviteSpaceMemberRequest(
                parent=space, user=VIEWER, role=space_api.SPACE_ROLE_VIEWER
            ),
            metadata=owner,
        )
    with pytest.raises(grpc.aio.AioRpcError) as no_role:
        await api.spaces.InviteSpaceMember(
            space_rpc.InviteSpaceMemberRequest(parent=space, user="users/nora"), metadata=owner
        )
    with pytest.raises(grpc.aio.AioRpcError) as last_owner:
        await api.spaces.RemoveSpaceMember(
            space_rpc.RemoveSpaceMemberRequest(name=f"{space}/members/olivia"), metadata=owner
        )
    await api.spaces.RemoveSpaceMember(
        space_rpc.RemoveSpaceMemberRequest(name=f"{space}/members/eddie"),
        metadata=api.as_user(EDITOR),
    )
    members = await api.spaces.ListSpaceMembers(
        space_rpc.ListSpaceMembersRequest(parent=space), metadata=api.as_user(VIEWER)
    )

    assert (invited.member.name, invited.member.invited_by) == (f"{space}/members/vera", OWNER)
    assert promoted.member.role == space_api.SPACE_ROLE_EDITOR
    assert twice.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert no_role.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations_of(no_role.value)] == ["role"]
    assert last_owner.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert [(m.user, m.role) for m in members.members] == [
        (OWNER, space_api.SPACE_ROLE_OWNER),
        (VIEWER, space_api.SPACE_ROLE_EDITOR),
    ]


def api_create(display_name: str, space_id: str = "") -> space_rpc.CreateSpaceRequest:
    return space_rpc.CreateSpaceRequest(
        space=space_api.Space(display_name=display_name, description="what we know"),
        space_id=space_id,
    )


def api_update(space: space_api.Space, display_name: str) -> space_rpc.UpdateSpaceRequest:
    return space_rpc.UpdateSpaceRequest(
        space=space_api.Space(name=space.name, display_name=display_name, etag=space.etag),
        update_mask=FieldMask(paths=["display_name"]),
    )
