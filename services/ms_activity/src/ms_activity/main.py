"""The composition root: the service's parts, wired once; the kit's runtime starts and stops them."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from knowledge.activity.v1 import activity_service_pb2_grpc
from knowledge_kit.api import Clock, PageTokens, utc_now
from knowledge_kit.runtime import Registration, ServiceContext, ServiceParts, run_service
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .config import Settings
from .domain.rate_limit import RecordLimit
from .repository.quotas import RecordQuotas
from .server.activity import ActivityServicer
from .server.events import event_handlers
from .service.access import Access
from .service.aggregates import Aggregates
from .service.erasures import Erasures
from .service.forwarding import Forwarder
from .service.ingestion import Ingestion
from .service.recording import Recording
from .service.timelines import Timelines
from .store import ActivityStore, open_store

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class ActivityParts:
    """The use cases on one SQL database and one activity store."""

    ingestion: Ingestion
    forwarder: Forwarder
    timelines: Timelines
    aggregates: Aggregates
    recording: Recording
    erasures: Erasures

    @property
    def servicer(self) -> ActivityServicer:
        return ActivityServicer(self.timelines, self.aggregates, self.recording, self.erasures)


def activity_parts(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    store: ActivityStore,
    clock: Clock = utc_now,
) -> ActivityParts:
    """Wires the use cases; nothing is started yet (`forwarder.run` takes consumed activities
    to the store, `erasures.run` carries out erasures)."""
    retention = timedelta(days=settings.retention_days)
    access = Access(sessions)
    quotas = RecordQuotas(sessions, RecordLimit(settings.record_limit_per_minute))
    forwarder = Forwarder(sessions, store, batch=settings.forward_batch_size)
    return ActivityParts(
        ingestion=Ingestion(forwarder.wake, retention, clock),
        forwarder=forwarder,
        timelines=Timelines(store, access, PageTokens.for_service(settings), retention, clock),
        aggregates=Aggregates(store, access, retention, clock),
        recording=Recording(store, access, quotas, retention, clock),
        erasures=Erasures(sessions, store, poll_seconds=settings.erasure_poll_seconds, clock=clock),
    )


def servicers(parts: ActivityParts) -> list[Registration]:
    return [(activity_service_pb2_grpc.add_ActivityServiceServicer_to_server, parts.servicer)]


async def activity_service_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """Timelines and aggregates served from the store, kept from every consumed topic."""
    held = AsyncExitStack()  # left when the service stops: the store closed
    store = await open_store(context.settings)
    held.push_async_callback(store.close)
    parts = activity_parts(context.settings, context.sessions, store)
    return ServiceParts(
        servicers=servicers(parts),
        event_handlers=event_handlers(parts.ingestion),
        background=[parts.forwarder.run, parts.erasures.run],
        lifecycles=[held],
    )


async def serve() -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully."""
    await run_service(Settings, activity_service_parts, migrations=MIGRATIONS)
