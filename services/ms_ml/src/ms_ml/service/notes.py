"""The worked example's use cases: create, read, list (a page at a time) and update notes."""

from __future__ import annotations

from collections.abc import Callable

from knowledge_kit.api import Page, PageRequest, PageTokens, check_etag
from knowledge_kit.api.pages import invalid_page_token
from knowledge_kit.errors import AlreadyExistsError, ConflictError, NotFoundError

from ..domain.notes import NOTE_NAME, Note, NoteChanges, NoteUnitOfWork

UPDATABLE_NOTE_FIELDS = ("title", "body")


class NoteUseCases:
    """What callers can do with notes, each in its own unit of work."""

    def __init__(
        self,
        unit_of_work: Callable[[], NoteUnitOfWork],
        *,
        title_max_length: int,
        pages: PageTokens,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._title_max_length = title_max_length
        self._pages = pages

    async def create_note(self, note_id: str, title: str, body: str) -> Note:
        note = Note.create(note_id, title, body, title_max_length=self._title_max_length)
        async with self._unit_of_work() as work:
            if await work.notes.get(note.name) is not None:
                raise AlreadyExistsError(f"{note.name} already exists")
            await work.notes.add(note)
            await work.commit()
        return note

    async def get_note(self, name: str) -> Note:
        NOTE_NAME.check(name, "name")
        async with self._unit_of_work() as work:
            note = await work.notes.get(name)
        if note is None:
            raise NotFoundError(f"{name} does not exist")
        return note

    async def list_notes(self, page_size: int, page_token: str) -> Page[Note]:
        """Notes in name order; the page token resumes after the last name sent."""
        request = self._pages.request(page_size, page_token, listing=())
        async with self._unit_of_work() as work:
            fetched = await work.notes.list_after(_last_name(request), limit=request.fetch_limit)
        return request.page(fetched, resume_after=lambda note: [note.name])

    async def update_note(self, name: str, changes: NoteChanges, *, etag: str) -> Note:
        """The note with the masked fields changed; ABORTED when `etag` is not the current one."""
        NOTE_NAME.check(name, "note.name")
        async with self._unit_of_work() as work:
            note = await work.notes.get(name)
            if note is None:
                raise NotFoundError(f"{name} does not exist")
            check_etag(etag, note.etag, resource=name, field="note.etag", required=False)
            updated = note.changed(changes, title_max_length=self._title_max_length)
            if not await work.notes.replace(updated, expected_etag=note.etag):
                raise ConflictError(f"{name} changed while it was being updated")
            await work.commit()
        return updated


def _last_name(request: PageRequest) -> str | None:
    match request.after:
        case None:
            return None
        case [str(name)]:
            return name
    raise invalid_page_token()
