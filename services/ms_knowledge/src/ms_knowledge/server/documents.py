"""knowledge.knowledge.v1.DocumentService on top of the document, version and watch use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from knowledge.knowledge.v1 import document_service_pb2 as api
from knowledge.knowledge.v1 import document_service_pb2_grpc
from knowledge_kit.api import caller_name, update_paths

from ..service.documents import (
    UPDATABLE_DOCUMENT_FIELDS,
    DocumentChanges,
    DocumentDraft,
    DocumentUseCases,
    SeenRevision,
)
from ..service.versions import VersionUseCases
from ..service.watch import WatchUseCases
from .messages import CHANGE_TYPES, document_message, version_message

Context = grpc.aio.ServicerContext[Any, Any]


class DocumentServicer(document_service_pb2_grpc.DocumentServiceServicer):
    """Maps each RPC to one use case; every use case checks the caller's role itself."""

    def __init__(
        self, documents: DocumentUseCases, versions: VersionUseCases, watch: WatchUseCases
    ) -> None:
        self._documents = documents
        self._versions = versions
        self._watch = watch

    async def CreateDocument(
        self, request: api.CreateDocumentRequest, context: Context
    ) -> api.CreateDocumentResponse:
        draft = DocumentDraft(
            title=request.document.title,
            content=request.document.content,
            content_type=request.document.content_type,
        )
        document = await self._documents.create_document(
            caller_name(), request.parent, draft, document_id=request.document_id
        )
        return api.CreateDocumentResponse(document=document_message(document))

    async def GetDocument(
        self, request: api.GetDocumentRequest, context: Context
    ) -> api.GetDocumentResponse:
        document = await self._documents.get_document(caller_name(), request.name)
        return api.GetDocumentResponse(document=document_message(document))

    async def ListDocuments(
        self, request: api.ListDocumentsRequest, context: Context
    ) -> api.ListDocumentsResponse:
        page = await self._documents.list_documents(
            caller_name(), request.parent, request.page_size, request.page_token, request.filter
        )
        return api.ListDocumentsResponse(
            documents=[document_message(document) for document in page.items],
            next_page_token=page.next_page_token,
        )

    async def UpdateDocument(
        self, request: api.UpdateDocumentRequest, context: Context
    ) -> api.UpdateDocumentResponse:
        sent = request.document
        changes = DocumentChanges(
            paths=update_paths(request.update_mask, sent, UPDATABLE_DOCUMENT_FIELDS),
            title=sent.title,
            content=sent.content,
            content_type=sent.content_type,
        )
        document = await self._documents.update_document(
            caller_name(), sent.name, changes, SeenRevision(etag=sent.etag, revision=sent.revision)
        )
        return api.UpdateDocumentResponse(document=document_message(document))

    async def DeleteDocument(
        self, request: api.DeleteDocumentRequest, context: Context
    ) -> api.DeleteDocumentResponse:
        await self._documents.delete_document(caller_name(), request.name, etag=request.etag)
        return api.DeleteDocumentResponse()

    async def ListDocumentVersions(
        self, request: api.ListDocumentVersionsRequest, context: Context
    ) -> api.ListDocumentVersionsResponse:
        page = await self._versions.list_versions(
            caller_name(), request.parent, request.page_size, request.page_token
        )
        return api.ListDocumentVersionsResponse(
            versions=[version_message(version) for version in page.items],
            next_page_token=page.next_page_token,
        )

    async def GetDocumentVersion(
        self, request: api.GetDocumentVersionRequest, context: Context
    ) -> api.GetDocumentVersionResponse:
        version = await self._versions.get_version(caller_name(), request.name)
        return api.GetDocumentVersionResponse(version=version_message(version))

    async def RestoreDocumentVersion(
        self, request: api.RestoreDocumentVersionRequest, context: Context
    ) -> api.RestoreDocumentVersionResponse:
        document = await self._versions.restore_version(
            caller_name(), request.name, etag=request.etag
        )
        return api.RestoreDocumentVersionResponse(document=document_message(document))

    async def WatchDocument(
        self, request: api.WatchDocumentRequest, context: Context
    ) -> AsyncIterator[api.WatchDocumentResponse]:
        changes = await self._watch.watch_document(caller_name(), request.name)
        await context.send_initial_metadata(())  # tells the client the watch is live
        async for change in changes:
            yield api.WatchDocumentResponse(
                change_type=CHANGE_TYPES[change.change_type],
                document=document_message(change.document),
            )

    async def WatchSpace(
        self, request: api.WatchSpaceRequest, context: Context
    ) -> AsyncIterator[api.WatchSpaceResponse]:
        changes = await self._watch.watch_space(caller_name(), request.name)
        await context.send_initial_metadata(())  # tells the client the watch is live
        async for change in changes:
            yield api.WatchSpaceResponse(
                change_type=CHANGE_TYPES[change.change_type],
                document=document_message(change.document),
            )
