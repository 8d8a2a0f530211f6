"""Many rows into a PostgreSQL table with one execution: each column's values one array.

`executemany` of an INSERT (what SQLAlchemy does on asyncpg for a list of rows) sends the rows in
one round trip, but PostgreSQL binds and executes the statement once per row, and SQLAlchemy
processes each row's parameters. `INSERT ... SELECT ... FROM unnest(...)` with a typed array per
column is one execution whatever the number of rows, and its text depends on the columns only,
so the connection's prepared statement serves every batch (a multi-row VALUES list would be a
new statement, and a new prepare, for each number of rows).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Table, TextClause, text
from sqlalchemy.engine import Dialect

_MODIFIERS = re.compile(r"\s*\([^)]*\)")
_STATEMENTS: dict[tuple[Table, tuple[str, ...], str], TextClause | None] = {}


def column_arrays_insert(
    table: Table, columns: Sequence[str], dialect: Dialect
) -> TextClause | None:
    """The statement inserting rows of `columns` into `table` from one array parameter per
    column (`c0`, `c1`, ... in the order of `columns`), kept in their order; None where that
    cannot be done: a database other than PostgreSQL, a column the table does not have, or one
    whose type converts values on the way in (JSON, enums, booleans, arrays, custom types),
    which only a row at a time applies."""
    key = (table, tuple(columns), dialect.name)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = _statement(table, columns, dialect)
    return _STATEMENTS[key]


def _statement(table: Table, columns: Sequence[str], dialect: Dialect) -> TextClause | None:
    if dialect.name != "postgresql" or not columns:
        return None
    arrays, names = [], []
    for place, key in enumerate(columns):
        column = table.columns.get(key)  # rows name columns by key, as an insert's rows do
        if column is None or column.type.dialect_impl(dialect).bind_processor(dialect) is not None:
            return None
        names.append(dialect.identifier_preparer.quote(column.name))
        # The type without its length, precision or scale: an explicit cast to VARCHAR(200)
        # cuts a longer text short, and one to NUMERIC(10, 2) rounds, where the insert into
        # the column refuses the text or rounds as any insert does.
        unmodified = _MODIFIERS.sub("", column.type.compile(dialect=dialect))
        arrays.append(f"CAST(:c{place} AS {unmodified}[])")
    values = ", ".join(f"given.v{place}" for place in range(len(columns)))
    aliases = ", ".join(f"v{place}" for place in range(len(columns)))
    return text(
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(names)}) "
        f"SELECT {values} FROM unnest({', '.join(arrays)}) WITH ORDINALITY "
        f"AS given({aliases}, place) ORDER BY given.place"
    )
