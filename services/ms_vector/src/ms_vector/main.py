"""The composition root: the service's parts, wired once; the kit's runtime starts and stops them."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from knowledge.vector.v1 import vector_service_pb2_grpc
from knowledge_kit.api import PageTokens
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.events import Outbox
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.runtime import Registration, ServiceContext, ServiceParts, run_service
from qdrant_client import AsyncQdrantClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .adapters.faiss_index import FaissVectorIndex
from .adapters.knowledge_documents import KnowledgeDocuments
from .adapters.qdrant_index import QdrantVectorIndex
from .config import Settings
from .domain.ports import DocumentSource, Embedder, VectorIndex
from .server.events import event_handlers
from .server.vector import VectorServicer
from .service.documents import DocumentIndex
from .service.indexing import ChunkingPolicy, Indexing
from .service.live_index import Generation, LiveIndex
from .service.reindex import Reindexing
from .service.search import Search

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class VectorParts:
    """The use cases on one database and one pair of in-memory indexes."""

    live: LiveIndex
    indexing: Indexing
    search: Search
    documents: DocumentIndex
    reindexing: Reindexing

    @property
    def servicer(self) -> VectorServicer:
        return VectorServicer(self.search, self.documents, self.reindexing)


def vector_parts(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    embedder: Embedder,
    dense: VectorIndex,
    source: DocumentSource,
) -> VectorParts:
    """Wires the use cases; nothing is loaded or started yet (`live.load()` fills the indexes)."""
    live = LiveIndex(Generation.of(sessions, embedder, dense))
    indexing = Indexing(
        live,
        ChunkingPolicy(
            max_chars=settings.chunk_max_chars,
            overlap_chars=settings.chunk_overlap_chars,
            max_document_chars=settings.max_document_chars,
        ),
    )
    return VectorParts(
        live=live,
        indexing=indexing,
        search=Search(sessions, live, PageTokens.for_service(settings)),
        documents=DocumentIndex(sessions, outbox, indexing, live),
        reindexing=Reindexing(sessions, outbox, indexing, live, source),
    )


async def dense_index(settings: Settings, dimensions: int, held: AsyncExitStack) -> VectorIndex:
    """Qdrant when `qdrant_url` is set, else the in-process HNSW index persisted on disk;
    `held` closes it (and Qdrant's client) when the service stops."""
    if settings.qdrant_url is None:
        index: VectorIndex = await asyncio.to_thread(
            FaissVectorIndex, dimensions, settings.index_path
        )
        held.push_async_callback(index.close)
        return index
    key = settings.qdrant_api_key
    client = AsyncQdrantClient(
        url=settings.qdrant_url, api_key=key.get_secret_value() if key is not None else None
    )
    held.push_async_callback(client.close)
    qdrant = QdrantVectorIndex(client, settings.qdrant_collection, dimensions)
    held.push_async_callback(qdrant.close)
    await qdrant.ensure()
    return qdrant


def servicers(parts: VectorParts) -> list[Registration]:
    return [(vector_service_pb2_grpc.add_VectorServiceServicer_to_server, parts.servicer)]


async def vector_service_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """The index loaded from the database, searched and kept current from events."""
    settings = context.settings
    embedder = await asyncio.to_thread(WordLlamaEmbedder, settings.embedding_model)
    held = AsyncExitStack()  # left when the service stops: the index persisted, channels closed
    dense = await dense_index(settings, embedder.dimensions, held)
    channels = ServiceChannels()
    held.push_async_callback(channels.close)
    source = KnowledgeDocuments(channels.channel(settings.knowledge_target))
    parts = vector_parts(settings, context.sessions, context.outbox, embedder, dense, source)
    await parts.live.load()
    return ServiceParts(
        servicers=servicers(parts),
        event_handlers=event_handlers(parts.indexing, parts.live, context.outbox),
        background=[parts.live.run, parts.reindexing.run],
        lifecycles=[held],
    )


async def serve() -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully."""
    await run_service(Settings, vector_service_parts, migrations=MIGRATIONS)
