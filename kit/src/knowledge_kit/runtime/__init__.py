"""The service runtime: a service's `main.py` builds its parts, the kit starts and stops them.

async def parts(context: ServiceContext[Settings]) -> ServiceParts:
    use_cases = NoteUseCases(context.sessions, context.outbox)
    return ServiceParts(servicers=[(add_NoteServiceServicer_to_server, NoteServicer(use_cases))])

async def serve() -> None:
    await run_service(Settings, parts, migrations=MIGRATIONS)
"""

from knowledge_kit.runtime.entry_point import run_service_process
from knowledge_kit.runtime.parts import (
    BackgroundTask,
    PartsBuilder,
    Registration,
    ServiceContext,
    ServiceParts,
    WebSocketEndpoint,
)
from knowledge_kit.runtime.service import ServiceRuntime, run_service

__all__ = [
    "BackgroundTask",
    "PartsBuilder",
    "Registration",
    "ServiceContext",
    "ServiceParts",
    "ServiceRuntime",
    "WebSocketEndpoint",
    "run_service",
    "run_service_process",
]
