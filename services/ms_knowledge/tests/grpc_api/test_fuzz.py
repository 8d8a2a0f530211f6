"""Every RPC of every service this server serves answers hostile requests (bytes that do not
parse, huge and extreme values, NUL characters) with a deliberate status, never UNKNOWN or
INTERNAL, and the service stays SERVING. Methods come from the server's reflection: a new RPC is
fuzzed without a line here (a seed below only helps its cases past the first checks)."""

from __future__ import annotations

from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from knowledge.knowledge.v1 import document_pb2, space_pb2
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc
from knowledge_kit.testing.fuzz_server import fuzz_server

from .conftest import KnowledgeApi

OWNER = "users/olivia"
# The whole run stays within about 20 seconds: cases left over are counted, not sent.
BUDGET_SECONDS = 16.0


async def seeds(api: KnowledgeApi) -> dict[str, dict[str, Message]]:
    """A valid request per method (by service, then method name) on a space and a document the
    owner has, so that each case changes one field of a request that would succeed."""
    space = await api.space_with(OWNER, vera=space_pb2.SPACE_ROLE_VIEWER)
    owner = api.as_user(OWNER)
    got = await api.spaces.GetSpace(space_rpc.GetSpaceRequest(name=space), metadata=owner)
    created = await api.documents.CreateDocument(
        document_rpc.CreateDocumentRequest(
            parent=space, document=document_pb2.Document(title="Plan", content="v1")
        ),
        metadata=owner,
    )
    document = created.document
    member = f"{space}/members/vera"
    return {
        "SpaceService": {
            "CreateSpace": space_rpc.CreateSpaceRequest(
                space=space_pb2.Space(display_name="Fuzzed", description="d")
            ),
            "GetSpace": space_rpc.GetSpaceRequest(name=space),
            "ListSpaces": space_rpc.ListSpacesRequest(page_size=2),
            "UpdateSpace": space_rpc.UpdateSpaceRequest(
                space=space_pb2.Space(name=space, display_name="Renamed", etag=got.space.etag),
                update_mask=FieldMask(paths=["display_name"]),
            ),
            "DeleteSpace": space_rpc.DeleteSpaceRequest(name=space, etag=got.space.etag),
            "InviteSpaceMember": space_rpc.InviteSpaceMemberRequest(
                parent=space, user="users/eddie", role=space_pb2.SPACE_ROLE_EDITOR
            ),
            "UpdateSpaceMember": space_rpc.UpdateSpaceMemberRequest(
                name=member, role=space_pb2.SPACE_ROLE_EDITOR
            ),
            "RemoveSpaceMember": space_rpc.RemoveSpaceMemberRequest(name=member),
            "ListSpaceMembers": space_rpc.ListSpaceMembersRequest(parent=space, page_size=2),
        },
        "DocumentService": {
            "CreateDocument": document_rpc.CreateDocumentRequest(
                parent=space, document=document_pb2.Document(title="Draft", content="text")
            ),
            "GetDocument": document_rpc.GetDocumentRequest(name=document.name),
            "ListDocuments": document_rpc.ListDocumentsRequest(
                parent=space, page_size=2, filter='title:"Pl"'
            ),
            "UpdateDocument": document_rpc.UpdateDocumentRequest(
                document=document_pb2.Document(
                    name=document.name, content="v2", etag=document.etag
                ),
                update_mask=FieldMask(paths=["content"]),
            ),
            "DeleteDocument": document_rpc.DeleteDocumentRequest(
                name=document.name, etag=document.etag
            ),
            "ListDocumentVersions": document_rpc.ListDocumentVersionsRequest(
                parent=document.name, page_size=2
            ),
            "GetDocumentVersion": document_rpc.GetDocumentVersionRequest(
                name=f"{document.name}/versions/1"
            ),
            "RestoreDocumentVersion": document_rpc.RestoreDocumentVersionRequest(
                name=f"{document.name}/versions/1", etag=document.etag
            ),
            "WatchDocument": document_rpc.WatchDocumentRequest(name=document.name),
            "WatchSpace": document_rpc.WatchSpaceRequest(name=space),
        },
    }


async def test_every_rpc_answers_hostile_requests_with_a_deliberate_status(
    api_on_test_database: KnowledgeApi,
) -> None:
    api = api_on_test_database
    await fuzz_server(
        api.channel,
        metadata=api.as_user(OWNER),
        seeds=await seeds(api),
        budget_seconds=BUDGET_SECONDS,
    )
