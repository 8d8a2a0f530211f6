"""The platform's API conventions hold for every List and Update RPC this service serves; a new
RPC fails here until it gets a seed recipe below."""

from __future__ import annotations

import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.knowledge.v1 import document_pb2, space_pb2
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc
from knowledge_kit.testing.api_contract import CONVENTIONS, ApiContract, ListCase, UpdateCase

from .conftest import KnowledgeApi

OWNER, VIEWER, EDITOR = "users/olivia", "users/vera", "users/eddie"


async def new_document(api: KnowledgeApi, space: str, title: str) -> document_pb2.Document:
    created = await api.documents.CreateDocument(
        document_rpc.CreateDocumentRequest(
            parent=space, document=document_pb2.Document(title=title, content="v1")
        ),
        metadata=api.as_user(OWNER),
    )
    return created.document


async def edited_document(api: KnowledgeApi) -> document_pb2.Document:
    """A document at revision 2 (two versions)."""
    document = await new_document(api, await api.space_with(OWNER), "Plan")
    edited = await api.documents.UpdateDocument(edit(document), metadata=api.as_user(OWNER))
    return edited.document


def edit(document: document_pb2.Document) -> document_rpc.UpdateDocumentRequest:
    return document_rpc.UpdateDocumentRequest(
        document=document_pb2.Document(
            name=document.name, content=f"after {document.revision}", etag=document.etag
        ),
        update_mask=FieldMask(paths=["content"]),
    )


def seeds(api: KnowledgeApi) -> ApiContract:
    """A seed recipe for each List and Update RPC of the service."""

    async def spaces() -> ListCase:
        await api.space_with(OWNER)
        await api.space_with(OWNER)
        request = space_rpc.ListSpacesRequest()
        return ListCase(request, api.as_user(OWNER), (request, api.as_user(VIEWER)))

    async def members() -> ListCase:
        space = await api.space_with(OWNER, vera=space_pb2.SPACE_ROLE_VIEWER)
        other = await api.space_with(OWNER)
        return ListCase(
            space_rpc.ListSpaceMembersRequest(parent=space),
            api.as_user(OWNER),
            (space_rpc.ListSpaceMembersRequest(parent=other), api.as_user(OWNER)),
        )

    async def documents() -> ListCase:
        space = await api.space_with(OWNER)
        await new_document(api, space, "Plan A")
        await new_document(api, space, "Plan B")
        return ListCase(
            document_rpc.ListDocumentsRequest(parent=space),
            api.as_user(OWNER),
            (
                document_rpc.ListDocumentsRequest(parent=space, filter='title:"A"'),
                api.as_user(OWNER),
            ),
        )

    async def versions() -> ListCase:
        document, other = await edited_document(api), await edited_document(api)
        return ListCase(
            document_rpc.ListDocumentVersionsRequest(parent=document.name),
            api.as_user(OWNER),
            (document_rpc.ListDocumentVersionsRequest(parent=other.name), api.as_user(OWNER)),
        )

    async def update_space() -> UpdateCase:
        name = await api.space_with(OWNER)
        space = (
            await api.spaces.GetSpace(
                space_rpc.GetSpaceRequest(name=name), metadata=api.as_user(OWNER)
            )
        ).space
        request = space_rpc.UpdateSpaceRequest(
            space=space_pb2.Space(name=name, display_name="Renamed", etag=space.etag),
            update_mask=FieldMask(paths=["display_name"]),
        )
        return UpdateCase(request, api.as_user(OWNER), etag_required=True)

    async def update_member() -> UpdateCase:
        space = await api.space_with(OWNER, vera=space_pb2.SPACE_ROLE_VIEWER)
        request = space_rpc.UpdateSpaceMemberRequest(
            name=f"{space}/members/vera", role=space_pb2.SPACE_ROLE_EDITOR
        )
        return UpdateCase(request, api.as_user(OWNER))

    async def update_document() -> UpdateCase:
        document = await new_document(api, await api.space_with(OWNER), "Plan")
        return UpdateCase(edit(document), api.as_user(OWNER), etag_required=True)

    return ApiContract(
        api.channel,
        lists={
            "knowledge.knowledge.v1.SpaceService.ListSpaces": spaces,
            "knowledge.knowledge.v1.SpaceService.ListSpaceMembers": members,
            "knowledge.knowledge.v1.DocumentService.ListDocuments": documents,
            "knowledge.knowledge.v1.DocumentService.ListDocumentVersions": versions,
        },
        updates={
            "knowledge.knowledge.v1.SpaceService.UpdateSpace": update_space,
            "knowledge.knowledge.v1.SpaceService.UpdateSpaceMember": update_member,
            "knowledge.knowledge.v1.DocumentService.UpdateDocument": update_document,
        },
    )


@pytest.fixture
def contract(api: KnowledgeApi) -> ApiContract:
    return seeds(api)


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_the_platform_api_conventions_hold(contract: ApiContract, convention: str) -> None:
    await contract.check(convention)
