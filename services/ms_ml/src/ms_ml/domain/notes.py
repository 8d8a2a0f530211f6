"""The worked example's entity: a note. Delete the example slice once the service has its own."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Protocol, Self

from knowledge_kit.api import ResourcePattern, checked_resource_id, new_etag
from knowledge_kit.errors import FieldViolation, ValidationError

NOTE_NAME = ResourcePattern("notes/{note}")


@dataclass(frozen=True, slots=True)
class NoteChanges:
    """New values for the fields in `paths` (an update mask's paths; other values are ignored)."""

    paths: AbstractSet[str]
    title: str = ""
    body: str = ""


@dataclass(frozen=True, slots=True)
class Note:
    """A note, named `notes/{note}`, with a required title and an etag that every change renews."""

    name: str
    title: str
    body: str
    etag: str

    @classmethod
    def create(cls, note_id: str, title: str, body: str, *, title_max_length: int) -> Note:
        """A new note named after `note_id` (a generated id when empty)."""
        return cls(
            name=NOTE_NAME.format(note=checked_resource_id(note_id, "note_id")),
            title=checked_title(title, title_max_length),
            body=body,
            etag=new_etag(),
        )

    def changed(self, changes: NoteChanges, *, title_max_length: int) -> Note:
        """This note with the masked fields changed and a new etag."""
        title = self.title
        if "title" in changes.paths:
            title = checked_title(changes.title, title_max_length)
        body = changes.body if "body" in changes.paths else self.body
        return replace(self, title=title, body=body, etag=new_etag())


def checked_title(title: str, max_length: int) -> str:
    """The title without surrounding blanks; it must be present and not too long."""
    title = title.strip()
    if not title:
        raise ValidationError(
            "a note needs a title", [FieldViolation("note.title", "must not be empty")]
        )
    if len(title) > max_length:
        raise ValidationError(
            "the note's title is too long",
            [FieldViolation("note.title", f"must be at most {max_length} characters")],
        )
    return title


class NoteRepository(Protocol):
    """Where notes are kept."""

    async def add(self, note: Note) -> None: ...

    async def get(self, name: str) -> Note | None: ...

    async def list_after(self, name: str | None, *, limit: int) -> list[Note]:
        """Up to `limit` notes in name order, after `name` (from the first when None)."""
        ...

    async def replace(self, note: Note, *, expected_etag: str) -> bool:
        """Store `note` over the one with its name if that still has `expected_etag`."""
        ...


class NoteUnitOfWork(Protocol):
    """One transaction over the notes: leaving it without `commit()` rolls back."""

    @property
    def notes(self) -> NoteRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
