"""The composition root: the service's parts, wired once; the kit's runtime starts and stops them."""

from __future__ import annotations

from pathlib import Path

from knowledge_kit.api import PageTokens
from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.rpc import RpcStep, ServiceServer, default_steps
from knowledge_kit.runtime import (
    Registration,
    ServiceContext,
    ServiceParts,
    run_service,
)
from knowledge_kit.settings import ServiceSettings

from .config import Settings
from .example_api.v1 import example_pb2_grpc
from .middleware.writer_role import RequireWriterRole
from .repository.notes import SqlNoteUnitOfWork
from .server.notes import NoteServicer
from .service.notes import NoteUseCases

MIGRATIONS = Path(__file__).parent / "migrations"
NOTE_WRITES = (
    "/knowledge.template_example.v1.NoteService/CreateNote",
    "/knowledge.template_example.v1.NoteService/UpdateNote",
)


def rpc_steps(settings: ServiceSettings, verifier: TokenVerifier) -> list[RpcStep]:
    """The kit's pipeline, then this service's own policy."""
    return [*default_steps(settings, verifier), RequireWriterRole(NOTE_WRITES)]


def servicers(use_cases: NoteUseCases) -> list[Registration]:
    """Every servicer with its generated registration function."""
    return [(example_pb2_grpc.add_NoteServiceServicer_to_server, NoteServicer(use_cases))]


def build_server(
    settings: Settings, use_cases: NoteUseCases, verifier: TokenVerifier
) -> ServiceServer:
    """The gRPC server the runtime serves, for tests that need only the server."""
    server = ServiceServer(settings, steps=rpc_steps(settings, verifier))
    for register, servicer in servicers(use_cases):
        server.add_servicer(register, servicer)
    return server


async def note_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """The note use cases on the migrated database, behind the service's interfaces."""
    settings = context.settings
    sessions = context.sessions
    use_cases = NoteUseCases(
        lambda: SqlNoteUnitOfWork(sessions),
        title_max_length=settings.note_title_max_length,
        pages=PageTokens.for_service(settings),
    )
    return ServiceParts(
        servicers=servicers(use_cases),
        steps=rpc_steps(settings, context.verifier),
    )


async def serve() -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully."""
    await run_service(Settings, note_parts, migrations=MIGRATIONS)
