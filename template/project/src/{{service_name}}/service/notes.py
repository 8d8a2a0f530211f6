"""The worked example's use cases: create a note, read a note."""

from __future__ import annotations

from collections.abc import Callable

from knowledge_kit.errors import NotFoundError

from ..domain.notes import Note, NoteUnitOfWork, checked_note_name


class NoteUseCases:
    """What callers can do with notes, each in its own unit of work."""

    def __init__(
        self, unit_of_work: Callable[[], NoteUnitOfWork], *, title_max_length: int
    ) -> None:
        self._unit_of_work = unit_of_work
        self._title_max_length = title_max_length

    async def create_note(self, title: str, body: str) -> Note:
        note = Note.create(title, body, title_max_length=self._title_max_length)
        async with self._unit_of_work() as work:
            await work.notes.add(note)
            await work.commit()
        return note

    async def get_note(self, name: str) -> Note:
        checked_note_name(name)
        async with self._unit_of_work() as work:
            note = await work.notes.get(name)
        if note is None:
            raise NotFoundError(f"{name} does not exist")
        return note
