"""The composition root: the service's parts, wired once; the kit's runtime starts and stops them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from knowledge.vector.v1 import vector_service_pb2_grpc
from knowledge_kit.api import PageTokens
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.events import Outbox
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.runtime import Registration, ServiceContext, ServiceParts, run_service
from prometheus_client import REGISTRY
from qdrant_client import AsyncQdrantClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .adapters.artifact_embedder import fingerprint, shipped_files
from .adapters.dense_indexes import DenseIndexes
from .adapters.knowledge_documents import KnowledgeDocuments
from .adapters.ml_models import MlEmbedders, NotCached, cached_embedder
from .adapters.service_tokens import FixedToken, ServiceAccountTokens, TokenSource
from .config import Settings
from .domain.ports import DocumentSource, Embedder, EmbedderSource, LoadedEmbedder, VectorIndex
from .repository.generations import SqlGenerations
from .server.events import FollowedAlias, event_handlers
from .server.generation_metrics import GenerationMetrics
from .server.vector import VectorServicer
from .service.documents import DocumentIndex
from .service.indexing import ChunkingPolicy, Indexing
from .service.live_index import Generation, LiveIndex
from .service.reindex import Reindexing
from .service.rollout import Rollout
from .service.search import Search

MIGRATIONS = Path(__file__).parent / "migrations"

log = logging.getLogger(__name__)


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


def servicers(parts: VectorParts) -> list[Registration]:
    return [(vector_service_pb2_grpc.add_VectorServiceServicer_to_server, parts.servicer)]


async def vector_service_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """The index loaded from the database, searched and kept current from events; with
    `embedder_alias` set, embedded by the version holding it in ms_ml, rolled out side by side
    when it moves."""
    settings = context.settings
    held = AsyncExitStack()  # left when the service stops: the indexes persisted, channels closed
    channels = ServiceChannels()
    held.push_async_callback(channels.close)
    embedders = ml_embedders(settings, channels)
    indexes = dense_indexes(settings, held)
    serving = await serving_embedder(settings, context.sessions, embedders)
    embedder = serving.embedder
    dense = await indexes.open(embedder.model, embedder.dimensions)
    source = KnowledgeDocuments(channels.channel(settings.knowledge_target))
    parts = vector_parts(settings, context.sessions, context.outbox, embedder, dense, source)
    parts.live.serving.sha256 = serving.sha256
    parts.live.serving.fingerprint = serving.fingerprint
    held.push_async_callback(_closing(parts.live))
    await parts.live.load()
    followed = None
    background = [parts.live.run, parts.reindexing.run]
    if embedders is not None:
        rollout = Rollout(context.sessions, parts.live, embedders, indexes.open, indexes.discard)
        followed = FollowedAlias(settings.embedder_model, settings.embedder_alias, rollout)
        background.append(rollout.run)
        _metered(rollout)
    return ServiceParts(
        servicers=servicers(parts),
        event_handlers=event_handlers(parts.indexing, parts.live, context.outbox, followed),
        background=background,
        lifecycles=[held],
    )


def ml_embedders(settings: Settings, channels: ServiceChannels) -> MlEmbedders | None:
    """ms_ml as the embedder's source, when an alias is followed."""
    if not settings.embedder_alias:
        return None
    return MlEmbedders(
        channels.channel(settings.ml_target),
        model=settings.embedder_model,
        alias=settings.embedder_alias,
        tokens=ml_tokens(settings, channels),
        cache=settings.model_cache_dir,
    )


def ml_tokens(settings: Settings, channels: ServiceChannels) -> TokenSource:
    """The service account's tokens from ms_auth when its secret is set, else `ml_token`."""
    secret = settings.service_account_secret
    if secret is not None:
        return ServiceAccountTokens(
            channels.channel(settings.auth_target),
            name=settings.service_account,
            secret=secret.get_secret_value(),
            audience="ms_ml",
        )
    token = settings.ml_token
    return FixedToken(token.get_secret_value() if token is not None else "")


def dense_indexes(settings: Settings, held: AsyncExitStack) -> DenseIndexes:
    """Qdrant when `qdrant_url` is set, else in-process HNSW indexes persisted on disk."""
    client = None
    if settings.qdrant_url is not None:
        key = settings.qdrant_api_key
        client = AsyncQdrantClient(
            url=settings.qdrant_url, api_key=key.get_secret_value() if key is not None else None
        )
        held.push_async_callback(client.close)
    return DenseIndexes(
        shipped_model=settings.embedding_model,
        index_path=settings.index_path,
        qdrant=client,
        collection=settings.qdrant_collection,
    )


async def serving_embedder(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    embedders: EmbedderSource | None,
) -> LoadedEmbedder:
    """The embedder of the generation the record says serves: the shipped model, or a
    version rolled out earlier, read from its verified local copy, else from ms_ml when an
    alias is followed (without one, no local copy refuses the start, saying what to do)."""
    async with sessions() as session:
        serving = await SqlGenerations(session).serving()
    if serving is None or serving.model == settings.embedding_model:
        embedder = await asyncio.to_thread(WordLlamaEmbedder, settings.embedding_model)
        files = await asyncio.to_thread(shipped_files)
        return LoadedEmbedder(embedder, "", await asyncio.to_thread(fingerprint, files))
    if embedders is not None:
        return await embedders.load(serving.model, serving.sha256)
    try:
        loaded = await cached_embedder(settings.model_cache_dir, serving.model, serving.sha256)
    except NotCached as error:
        raise RuntimeError(
            f"the index is embedded by {serving.model}, and no alias is followed to download it "
            f"from ms_ml: {error}. Start ms_vector with MS_VECTOR_EMBEDDER_ALIAS set and ms_ml "
            "reachable to download it again, or point MS_VECTOR_MODEL_CACHE_DIR at the "
            "directory it was downloaded to"
        ) from None
    log.info(
        "no embedder alias is followed (EMBEDDER_ALIAS unset): the index keeps %s, "
        "loaded from its verified local copy",
        serving.model,
        extra={"model": serving.model, "sha256": serving.sha256},
    )
    return loaded


def _metered(rollout: Rollout) -> None:
    """The generations as gauges; a second start in one process replaces the first's."""
    global _generation_metrics
    if _generation_metrics is not None:
        REGISTRY.unregister(_generation_metrics)
    _generation_metrics = GenerationMetrics(rollout.latest)


_generation_metrics: GenerationMetrics | None = None


def _closing(live: LiveIndex) -> Callable[[], Awaitable[None]]:
    async def close() -> None:
        for generation in live.writing():
            await generation.index.dense.close()

    return close


async def serve() -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully."""
    await run_service(Settings, vector_service_parts, migrations=MIGRATIONS)
