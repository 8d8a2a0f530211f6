"""Rows inserted together with their transaction's other rows: one statement per table instead
of one round trip per row.

An event consumer applies a partition's records in one transaction; a handler that inserted its
row with `session.execute` paid a round trip per event, and the event loop's turn for each (behind
every other task of the process, for 16 use cases committing at once tens of milliseconds). With
`stage_insert(event.session, table, row)` the rows of the whole batch go in with one statement
per table: on PostgreSQL one execution of column arrays (`column_arrays`) where the table's
types allow it, otherwise one executemany. They are written before the session's next statement
(so the transaction reads them back), before an ORM flush, and at the latest when the
transaction commits; a rollback drops them.
Tables are written in the order their first row was staged, each table's rows in their order:
stage a row that refers to another staged row after that row's table.

Within a savepoint (`begin_nested`) nothing may be staged, and no statement may run while rows
staged before it are pending (they would go down with the savepoint): `await
write_staged(session)` before `begin_nested`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from knowledge_kit.database.column_arrays import column_arrays_insert

_STAGED = "knowledge_kit.staged_inserts"  # in a session's info: table -> rows, in staging order
_WATCHED = "knowledge_kit.staged_inserts_watched"  # the session's hooks are in place


def stage_insert(session: AsyncSession, table: Table, row: Mapping[str, Any]) -> None:
    """Insert `row` into `table` with the session's open transaction, in one statement with the
    other rows staged for `table` (every row of a table names the same columns)."""
    sync = session.sync_session
    if sync.in_nested_transaction():
        raise RuntimeError(
            f"a row for {table.name} staged inside a savepoint: insert it with "
            "session.execute, or stage it outside the begin_nested block"
        )
    staged: dict[Table, list[Mapping[str, Any]]] | None = sync.info.get(_STAGED)
    if staged is None:
        staged = sync.info[_STAGED] = {}
        if not sync.info.get(_WATCHED):
            _watch(sync)
    rows = staged.get(table)
    if rows is None:
        staged[table] = [row]
    else:
        rows.append(row)


async def write_staged(session: AsyncSession) -> None:
    """Insert the rows staged in the session's transaction now (an error in them is raised
    here rather than by the commit)."""
    if session.sync_session.info.get(_STAGED):
        await session.run_sync(_write)


def _write(session: Session) -> None:
    staged: dict[Table, list[Mapping[str, Any]]] | None = session.info.pop(_STAGED, None)
    if not staged:
        return
    connection = session.connection()
    try:
        for table, rows in staged.items():
            columns = tuple(rows[0])
            statement = (
                column_arrays_insert(table, columns, connection.dialect) if len(rows) > 1 else None
            )
            if statement is None or any(row.keys() != rows[0].keys() for row in rows):
                connection.execute(table.insert(), list(rows))
            else:
                connection.execute(
                    statement,
                    {
                        f"c{place}": [row[name] for row in rows]
                        for place, name in enumerate(columns)
                    },
                )
    except BaseException:
        session.info[_STAGED] = staged  # still pending: the transaction rolls back or retries
        raise


def _to_write(session: Session) -> bool:
    """Whether rows are pending; rows staged before a savepoint began would be written inside
    it (and go if it rolls back): refused."""
    if session.info.get(_STAGED) and session.in_nested_transaction():
        raise RuntimeError(
            "rows staged with stage_insert are pending while a savepoint is open: "
            "await write_staged(session) before begin_nested"
        )
    return bool(session.info.get(_STAGED))


def _watch(session: Session) -> None:
    """Hooks for the session's life (a session lives for one unit of work)."""

    def before_statement(state: ORMExecuteState) -> None:
        if _to_write(state.session):
            _write(state.session)

    def before_flush(flushed: Session, _: Any, __: Any) -> None:
        if _to_write(flushed):
            _write(flushed)

    def before_commit(committed: Session) -> None:
        if not committed.in_nested_transaction():  # a savepoint's release leaves them pending
            _write(committed)

    def ended(ended_in: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            ended_in.info.pop(_STAGED, None)  # written by the commit, or rolled back

    session.info[_WATCHED] = True
    event.listen(session, "do_orm_execute", before_statement)
    event.listen(session, "before_flush", before_flush)
    event.listen(session, "before_commit", before_commit)
    event.listen(session, "after_transaction_end", ended)
