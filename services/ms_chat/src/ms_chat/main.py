"""The composition root: the service's parts, wired once; the kit's runtime starts and stops them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.chat.v1 import chat_service_pb2_grpc
from knowledge_kit.api import PageTokens
from knowledge_kit.events import Outbox
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.runtime import (
    Registration,
    ServiceContext,
    ServiceParts,
    WebSocketEndpoint,
    run_service,
)
from knowledge_kit.websocket import RoomHub, SlowClientPolicy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .adapters.ml_reranker import PREDICT_METHOD, MlReranker
from .adapters.vector_search import SEARCH_METHOD, VectorSearch
from .config import Settings
from .domain.answers import Answerer
from .domain.ports import Retriever
from .server.chat import ChatServicer
from .server.chat_socket import ChatSocket
from .server.events import event_handlers
from .service.answerers import answerer_from
from .service.answering import Answering, AnsweringPolicy
from .service.conversations import Conversations
from .service.feed import AnswerFeed
from .service.producers import Producers
from .service.production import AnswerProducer, Chunking
from .service.reranking import RerankedRetriever
from .service.signals import AnswerSignals

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class ChatParts:
    """The use cases on one database, one retriever and one answerer."""

    conversations: Conversations
    answering: Answering
    producers: Producers

    @property
    def servicer(self) -> ChatServicer:
        return ChatServicer(self.conversations, self.answering)


def chat_parts(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    retriever: Retriever,
    answerer: Answerer,
) -> ChatParts:
    """Wires the use cases; answers are produced once `producers.run` serves."""
    signals = AnswerSignals()
    producer = AnswerProducer(
        sessions,
        outbox,
        signals,
        retriever,
        answerer,
        Chunking(chars=settings.token_chunk_chars, seconds=settings.token_flush_seconds),
    )
    producers = Producers(producer, sessions)
    answering = Answering(
        sessions,
        outbox,
        producers,
        AnswerFeed(sessions, signals),
        answerer_name=answerer.name,
        policy=AnsweringPolicy(
            passages=settings.retrieval_passages, history_turns=settings.history_turns
        ),
    )
    return ChatParts(
        conversations=Conversations(sessions, outbox, PageTokens.for_service(settings)),
        answering=answering,
        producers=producers,
    )


def servicers(parts: ChatParts) -> list[Registration]:
    return [(chat_service_pb2_grpc.add_ChatServiceServicer_to_server, parts.servicer)]


def chat_socket(settings: Settings, parts: ChatParts) -> ChatSocket:
    hub = RoomHub(queue_size=settings.websocket_queue_size, policy=SlowClientPolicy.DISCONNECT)
    return ChatSocket(parts.answering, hub)


async def chat_service_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """Conversations answered from ms_vector's passages (reranked by an ms_ml deployment when
    `reranker_deployment` names one), over gRPC and a WebSocket."""
    settings = context.settings
    channels = ServiceChannels(default_timeout_seconds=settings.vector_timeout_seconds)
    retriever: Retriever = VectorSearch(
        channels.channel(settings.vector_target, idempotent_methods=[SEARCH_METHOD]),
        timeout_seconds=settings.vector_timeout_seconds,
    )
    if settings.reranker_deployment:
        reranker = MlReranker(
            channels.channel(settings.ml_target, idempotent_methods=[PREDICT_METHOD]),
            settings.reranker_deployment,
            timeout_seconds=settings.reranker_timeout_seconds,
        )
        retriever = RerankedRetriever(retriever, reranker, candidates=settings.reranker_candidates)
    parts = chat_parts(
        settings, context.sessions, context.outbox, retriever, answerer_from(settings)
    )
    return ServiceParts(
        servicers=servicers(parts),
        event_handlers=event_handlers(),
        background=[parts.producers.run],
        lifecycles=[_Closing(channels)],
        websocket=WebSocketEndpoint(
            chat_socket(settings, parts),
            settings.websocket_host,
            settings.websocket_port,
            max_message_bytes=settings.websocket_max_message_bytes,
        ),
    )


class _Closing:
    """Closes the service's channels when the service stops."""

    def __init__(self, channels: ServiceChannels) -> None:
        self._channels = channels

    async def __aenter__(self) -> ServiceChannels:
        return self._channels

    async def __aexit__(self, *_: object) -> None:
        await self._channels.close()


async def serve() -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully."""
    await run_service(Settings, chat_service_parts, migrations=MIGRATIONS)
