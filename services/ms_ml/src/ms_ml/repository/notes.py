"""Notes kept in the service's database (SQLite or PostgreSQL) through SQLAlchemy."""

from __future__ import annotations

from typing import Any, cast

from knowledge_kit.database import UnitOfWork
from sqlalchemy import CursorResult, Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.notes import Note, NoteRepository
from .tables import notes


class SqlNoteRepository:
    """Maps notes to rows of the `notes` table within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, note: Note) -> None:
        await self._session.execute(insert(notes).values(**_row(note)))

    async def get(self, name: str) -> Note | None:
        row = (await self._session.execute(select(notes).where(notes.c.name == name))).one_or_none()
        return _note(row) if row is not None else None

    async def list_after(self, name: str | None, *, limit: int) -> list[Note]:
        query = select(notes).order_by(notes.c.name).limit(limit)
        if name is not None:
            query = query.where(notes.c.name > name)
        return [_note(row) for row in await self._session.execute(query)]

    async def replace(self, note: Note, *, expected_etag: str) -> bool:
        result = await self._session.execute(
            update(notes)
            .where(notes.c.name == note.name, notes.c.etag == expected_etag)
            .values(**_row(note))
        )
        return cast(CursorResult[Any], result).rowcount == 1


class SqlNoteUnitOfWork(UnitOfWork):
    """A database transaction with the note repository on its session."""

    notes: NoteRepository

    def on_begin(self, session: AsyncSession) -> None:
        self.notes = SqlNoteRepository(session)


def _row(note: Note) -> dict[str, str]:
    return {"name": note.name, "title": note.title, "body": note.body, "etag": note.etag}


def _note(row: Row[Any]) -> Note:
    return Note(name=row.name, title=row.title, body=row.body, etag=row.etag)
