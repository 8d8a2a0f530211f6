"""ReindexSpace: a space read again from ms_knowledge and indexed, in the background, followed
as an operation. It is how a space older than the topics' retention gets into the index, and
how a failed or doubtful index is repaired on demand."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging

from knowledge_kit.api import Clock, caller, new_resource_id, utc_now
from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import ConflictError, NotFoundError
from knowledge_kit.events import Outbox
from knowledge_kit.spaces import MemberRole
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.chunks import DocumentRevision
from ..domain.names import REINDEX_OPERATION, SPACE
from ..domain.ports import DocumentSource
from ..domain.reindex import ReindexOperation, ReindexState
from ..repository.work import VectorWork
from .access import require_role
from .indexing import Indexing
from .live_index import LiveIndex

log = logging.getLogger(__name__)
PROGRESS_EVERY = 10
"""Documents between two progress writes."""
STOPPED = "the service stopped before the reindex finished; run ReindexSpace again"


class Reindexing:
    """Starts reindex operations and runs them as tasks of this process."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        indexing: Indexing,
        live: LiveIndex,
        source: DocumentSource,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._indexing = indexing
        self._live = live
        self._source = source
        self._clock = clock
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def start(self, space: str) -> ReindexOperation:
        """Editors and owners of `space`. A reindex already running there is returned instead
        of starting a second. A space this service has no members of (older than the topics'
        retention) is asked of ms_knowledge, which decides whether the caller may."""
        SPACE.check(space, "space")
        principal = caller()
        async with UnitOfWork(self._sessions) as uow:
            work = VectorWork(uow.session, self._outbox)
            if not await work.memberships.members_of(space):
                members = await self._source.members(space, principal.token)
                await _replace_members(work, space, members)
            await require_role(
                work.memberships, space, principal.name, MemberRole.EDITOR, what=space
            )
            running = await work.operations.running_in(space)
            if running is not None and running.name in self._tasks:
                return running
            operation = ReindexOperation(
                name=REINDEX_OPERATION.format(
                    space=SPACE.parse(space, "space")["space"], operation=new_resource_id()
                ),
                space=space,
                state=ReindexState.RUNNING,
                documents_total=0,
                documents_indexed=0,
                documents_failed=0,
                error="",
                requested_by=principal.name,
                create_time=self._clock(),
                end_time=None,
            )
            await work.operations.add(operation)
            await uow.commit()
        # A fresh context: the task outlives this RPC, so it must not inherit its deadline.
        task = asyncio.create_task(
            self._run(operation, principal.token), context=contextvars.Context()
        )
        self._tasks[operation.name] = task
        task.add_done_callback(lambda _: self._tasks.pop(operation.name, None))
        return operation

    async def get(self, caller_name: str, name: str) -> ReindexOperation:
        """Any member of the operation's space."""
        ids = REINDEX_OPERATION.parse(name, "name")
        space = SPACE.format(space=ids["space"])
        async with UnitOfWork(self._sessions) as uow:
            work = VectorWork(uow.session, self._outbox)
            await require_role(work.memberships, space, caller_name, MemberRole.VIEWER, what=name)
            operation = await work.operations.get(name)
        if operation is None:
            raise NotFoundError(f"{name} does not exist")
        return operation

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`; then the operations still running here end failed, saying so."""
        await stop.wait()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, operation: ReindexOperation, token: str) -> None:
        progress = operation
        try:
            members = await self._source.members(operation.space, token)
            async with UnitOfWork(self._sessions) as uow:
                await _replace_members(
                    VectorWork(uow.session, self._outbox), operation.space, members
                )
                await uow.commit()
            async for revision in self._source.revisions(operation.space, token):
                indexed = await self._index(revision)
                progress = dataclasses.replace(
                    progress,
                    documents_total=progress.documents_total + 1,
                    documents_indexed=progress.documents_indexed + indexed,
                    documents_failed=progress.documents_failed + (1 - indexed),
                )
                if progress.documents_total % PROGRESS_EVERY == 0:
                    await self._save(progress)
            await self._save(
                dataclasses.replace(progress, state=ReindexState.SUCCEEDED, end_time=self._clock())
            )
        except asyncio.CancelledError:
            await self._save(
                dataclasses.replace(
                    progress, state=ReindexState.FAILED, error=STOPPED, end_time=self._clock()
                )
            )
            raise
        except Exception as error:
            log.exception("reindex failed", extra={"operation": operation.name})
            await self._save(
                dataclasses.replace(
                    progress,
                    state=ReindexState.FAILED,
                    error=_described(error),
                    end_time=self._clock(),
                )
            )

    async def _index(self, revision: DocumentRevision) -> int:
        """1 when the revision is indexed (now or already), 0 when it failed."""
        for attempt in range(2):
            try:
                async with UnitOfWork(self._sessions) as uow:
                    outcome = await self._indexing.index(
                        VectorWork(uow.session, self._outbox), revision, reread=True
                    )
                    await uow.commit()
                break
            except ConflictError:
                if attempt:
                    raise
        if outcome.changed:
            await self._live.refresh([revision.document])
        return 0 if outcome.status.last_error else 1

    async def _save(self, operation: ReindexOperation) -> None:
        async with UnitOfWork(self._sessions) as uow:
            await VectorWork(uow.session, self._outbox).operations.save(operation)
            await uow.commit()


async def _replace_members(work: VectorWork, space: str, members: dict[str, int]) -> None:
    """The space's memberships become what ms_knowledge answered (events applied later still
    change them, as they would have)."""
    for user in set(await work.memberships.members_of(space)) - set(members):
        await work.memberships.remove(space, user)
    for user, role in members.items():
        await work.memberships.set_role(space, user, MemberRole(role))


def _described(error: Exception) -> str:
    details = getattr(error, "details", None)
    if callable(details):  # a gRPC error from ms_knowledge
        return f"reading the space from ms_knowledge failed: {error.code().name}: {details()}"  # type: ignore[attr-defined]
    return f"{type(error).__name__}: {error}"
