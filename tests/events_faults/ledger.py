"""What the fault test recorded, and what its consumers applied in the transaction of their inbox
record.

`recorded_revisions` is the producer's state change, written in the transaction that records
its event (the relay deletes an event from the outbox once it is sent). `applied_events` keeps every application (a double one shows as a second row), and
`document_heads` is the projection a service would keep: each event moves its document from the
revision before to its own, so an event applied out of order shows as a skipped revision.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge_kit.events import EVENTS_METADATA
from knowledge_kit.events.tables import outbox_events
from sqlalchemy import (
    BigInteger,
    Column,
    Identity,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

LEDGER = MetaData()

recorded_revisions = Table(
    "recorded_revisions",
    LEDGER,
    Column("document", String(512), primary_key=True),
    Column("revision", Integer, primary_key=True),
)

applied_events = Table(
    "applied_events",
    LEDGER,
    Column("applied", BigInteger, Identity(), primary_key=True),
    # Not unique: applying an event twice must leave two rows for the test to find.
    Column("event_id", String(36), nullable=False),
    Column("document", String(512), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("previous_revision", Integer, nullable=False),
    Column("consumer", String(64), nullable=False),
)

document_heads = Table(
    "document_heads",
    LEDGER,
    Column("document", String(512), primary_key=True),
    Column("revision", Integer, nullable=False),
)

suppressed_duplicates = Table(
    "suppressed_duplicates",
    LEDGER,
    Column("suppressed", BigInteger, Identity(), primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("consumer", String(64), nullable=False),
)


async def create_ledger(engine: AsyncEngine, documents: list[str]) -> None:
    """The kit's outbox and inbox tables, the ledger, and every document at revision 0."""
    async with engine.begin() as connection:
        await connection.run_sync(EVENTS_METADATA.create_all)
        await connection.run_sync(LEDGER.create_all)
        await connection.execute(
            document_heads.insert(), [{"document": name, "revision": 0} for name in documents]
        )


async def record_revision(session: AsyncSession, document: str, revision: int) -> None:
    """The producer's state change: `document` has a new `revision`."""
    await session.execute(recorded_revisions.insert().values(document=document, revision=revision))


async def apply_revision(
    session: AsyncSession, *, event_id: str, document: str, revision: int, consumer: str
) -> None:
    """Move `document` to `revision`, noting the revision it was at (under the row's lock)."""
    previous = await session.scalar(
        select(document_heads.c.revision)
        .where(document_heads.c.document == document)
        .with_for_update()
    )
    if previous is None:
        raise LookupError(f"{document} is not a document of this test")
    await session.execute(
        document_heads.update()
        .where(document_heads.c.document == document)
        .values(revision=revision)
    )
    await session.execute(
        applied_events.insert().values(
            event_id=event_id,
            document=document,
            revision=revision,
            previous_revision=previous,
            consumer=consumer,
        )
    )


@dataclass(frozen=True)
class LedgerCounts:
    """What the database says so far: events recorded, relayed, applied and how. A
    reordering is an application that did not follow its revision's predecessor (an event
    applied out of order, or one applied after a lost one)."""

    produced: int
    relayed: int
    applied: int
    doubled: int
    suppressed: int
    reorderings: int

    def __str__(self) -> str:
        return (
            f"produced {self.produced}, relayed {self.relayed}, applied {self.applied}, "
            f"applied twice {self.doubled}, duplicates suppressed by the inbox "
            f"{self.suppressed}, reorderings {self.reorderings}"
        )


async def read_counts(session: AsyncSession) -> LedgerCounts:
    """Count what was recorded, the outbox, the ledger and the suppressed duplicates in one
    snapshot (each statement of a REPEATABLE READ transaction sees the same one)."""
    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    produced = await _count(session, select(func.count()).select_from(recorded_revisions))
    applications = await _count(session, select(func.count()).select_from(applied_events))
    distinct = await _count(session, select(func.count(applied_events.c.event_id.distinct())))
    return LedgerCounts(
        produced=produced,
        relayed=produced - await _count(session, select(func.count()).select_from(outbox_events)),
        applied=distinct,
        doubled=applications - distinct,
        suppressed=await _count(session, select(func.count()).select_from(suppressed_duplicates)),
        reorderings=await _count(
            session,
            select(func.count())
            .select_from(applied_events)
            .where(applied_events.c.previous_revision != applied_events.c.revision - 1),
        ),
    )


async def applied_by(session: AsyncSession, consumer: str) -> int:
    """How many applications `consumer` has committed."""
    return await _count(
        session,
        select(func.count())
        .select_from(applied_events)
        .where(applied_events.c.consumer == consumer),
    )


async def _count(session: AsyncSession, query: Select[tuple[int]]) -> int:
    return int(await session.scalar(query) or 0)
