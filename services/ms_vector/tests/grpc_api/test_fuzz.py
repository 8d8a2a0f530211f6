"""Every RPC of every service this server serves answers hostile requests (bytes that do not
parse, huge and extreme values, NUL characters) with a deliberate status, never UNKNOWN or
INTERNAL, and the service stays SERVING. Methods come from the server's reflection: a new RPC is
fuzzed without a line here (a seed below only helps its cases past the first checks)."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from google.protobuf.message import Message
from knowledge.vector.v1 import vector_service_pb2 as api
from knowledge_kit.spaces import MemberRole
from knowledge_kit.testing.fuzz_server import fuzz_server

from ms_vector.main import VectorParts

from ..support import Spaces, revision
from .conftest import bearer

# The whole run stays within about 20 seconds: cases left over are counted, not sent.
BUDGET_SECONDS = 16.0
ADA = "users/ada"
SPACE = "spaces/handbook"
DOCUMENT = "spaces/handbook/documents/onboarding"


async def seeds(vector: VectorParts, spaces: Spaces) -> dict[str, dict[str, Message]]:
    """A valid request per method, on a space Ada owns and a document indexed in it."""
    await spaces.add(SPACE, ADA, MemberRole.OWNER)
    await vector.documents.index(ADA, revision(DOCUMENT, "Laptops are handed out on day one."))
    search = api.SearchChunksRequest(query="laptop", spaces=[SPACE], page_size=2)
    return {
        "VectorService": {
            "IndexDocument": api.IndexDocumentRequest(
                document=DOCUMENT, revision=2, title="Onboarding", content="Badges too."
            ),
            "SearchChunks": search,
            "BatchSearchChunks": api.BatchSearchChunksRequest(requests=[search]),
            "DeleteDocumentIndex": api.DeleteDocumentIndexRequest(document=DOCUMENT),
            "GetDocumentIndexStatus": api.GetDocumentIndexStatusRequest(document=DOCUMENT),
            "GetReindexOperation": api.GetReindexOperationRequest(
                name=f"{SPACE}/reindexOperations/{'0' * 32}"
            ),
            "ReindexSpace": api.ReindexSpaceRequest(space=SPACE),
        },
    }


async def test_every_rpc_answers_hostile_requests_with_a_deliberate_status(
    channel: grpc.aio.Channel, vector: VectorParts, spaces: Spaces, mint_token: Callable[..., str]
) -> None:
    by_service = await seeds(vector, spaces)
    await fuzz_server(
        channel, metadata=bearer(mint_token(ADA)), seeds=by_service, budget_seconds=BUDGET_SECONDS
    )
