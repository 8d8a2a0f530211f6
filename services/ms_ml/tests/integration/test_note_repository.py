"""Notes in the real database: what a committed unit of work keeps, and what a rollback drops."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.domain.notes import Note, NoteChanges
from ms_ml.repository.notes import SqlNoteUnitOfWork


async def test_a_committed_note_is_read_back_in_a_new_unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    note = Note.create("", "Plan", "first steps", title_max_length=200)
    async with SqlNoteUnitOfWork(sessions) as work:
        await work.notes.add(note)
        await work.commit()
    async with SqlNoteUnitOfWork(sessions) as work:
        assert await work.notes.get(note.name) == note


async def test_a_note_left_uncommitted_is_rolled_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    note = Note.create("", "Draft", "", title_max_length=200)
    async with SqlNoteUnitOfWork(sessions) as work:
        await work.notes.add(note)
        assert await work.notes.get(note.name) == note
    async with SqlNoteUnitOfWork(sessions) as work:
        assert await work.notes.get(note.name) is None


async def test_notes_are_listed_in_name_order_after_a_name(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    created = [Note.create(note_id, note_id, "", title_max_length=200) for note_id in "cab"]
    async with SqlNoteUnitOfWork(sessions) as work:
        for note in created:
            await work.notes.add(note)
        await work.commit()
    async with SqlNoteUnitOfWork(sessions) as work:
        listed = await work.notes.list_after(None, limit=2)
        rest = await work.notes.list_after("notes/b", limit=2)
    assert [note.name for note in listed] == ["notes/a", "notes/b"]
    assert [note.name for note in rest] == ["notes/c"]


async def test_a_replacement_needs_the_etag_the_row_still_has(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    note = Note.create("plan", "Plan", "", title_max_length=200)
    async with SqlNoteUnitOfWork(sessions) as work:
        await work.notes.add(note)
        await work.commit()
    changed = note.changed(NoteChanges(paths={"body"}, body="steps"), title_max_length=200)
    async with SqlNoteUnitOfWork(sessions) as work:
        assert await work.notes.replace(changed, expected_etag=note.etag)
        await work.commit()
    async with SqlNoteUnitOfWork(sessions) as work:
        assert not await work.notes.replace(note, expected_etag=note.etag)
        assert await work.notes.get(note.name) == changed
