"""Spaces read again from ms_knowledge over gRPC: members and documents listed page by page,
each document fetched whole."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC

import grpc
from knowledge.knowledge.v1 import document_service_pb2 as api
from knowledge.knowledge.v1 import space_service_pb2
from knowledge.knowledge.v1.document_service_pb2_grpc import DocumentServiceStub
from knowledge.knowledge.v1.space_service_pb2_grpc import SpaceServiceStub
from knowledge_kit.errors import NotFoundError

from ..domain.chunks import DocumentRevision

PAGE_SIZE = 100
ROLES = frozenset({1, 2, 3})
"""knowledge.knowledge.v1.SpaceRole's viewer, editor and owner (a newer role is left out)."""
LIST_DOCUMENTS = "knowledge.knowledge.v1.DocumentService/ListDocuments"
GET_DOCUMENT = "knowledge.knowledge.v1.DocumentService/GetDocument"


class KnowledgeDocuments:
    """The DocumentSource port on ms_knowledge's SpaceService and DocumentService."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout_seconds: float = 30.0) -> None:
        self._documents = DocumentServiceStub(channel)
        self._spaces = SpaceServiceStub(channel)
        self._timeout = timeout_seconds

    async def members(self, space: str, token: str) -> dict[str, int]:
        metadata = (("authorization", f"Bearer {token}"),)
        members: dict[str, int] = {}
        page_token = ""
        while True:
            try:
                listed = await self._spaces.ListSpaceMembers(
                    space_service_pb2.ListSpaceMembersRequest(
                        parent=space, page_size=PAGE_SIZE, page_token=page_token
                    ),
                    metadata=metadata,
                    timeout=self._timeout,
                )
            except grpc.aio.AioRpcError as error:
                if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
                    raise NotFoundError(f"{space} does not exist") from None
                raise
            members.update(
                {member.user: int(member.role) for member in listed.members if member.role in ROLES}
            )
            page_token = listed.next_page_token
            if not page_token:
                return members

    async def revisions(self, space: str, token: str) -> AsyncIterator[DocumentRevision]:
        metadata = (("authorization", f"Bearer {token}"),)
        page_token = ""
        while True:
            listed = await self._documents.ListDocuments(
                api.ListDocumentsRequest(parent=space, page_size=PAGE_SIZE, page_token=page_token),
                metadata=metadata,
                timeout=self._timeout,
            )
            for summary in listed.documents:
                try:
                    answer = await self._documents.GetDocument(
                        api.GetDocumentRequest(name=summary.name),
                        metadata=metadata,
                        timeout=self._timeout,
                    )
                except grpc.aio.AioRpcError as error:
                    if error.code() is grpc.StatusCode.NOT_FOUND:
                        continue  # deleted since it was listed
                    raise
                document = answer.document
                yield DocumentRevision(
                    document=document.name,
                    space=space,
                    revision=document.revision,
                    title=document.title,
                    content=document.content,
                    content_type=document.content_type,
                    updated_at=document.update_time.ToDatetime(tzinfo=UTC),
                )
            page_token = listed.next_page_token
            if not page_token:
                return
