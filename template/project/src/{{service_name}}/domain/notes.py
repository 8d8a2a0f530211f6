"""The worked example's entity: a note. Delete the example slice once the service has its own."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from knowledge_kit.errors import FieldViolation, ValidationError

NOTE_NAME = re.compile(r"^notes/[0-9a-f]{32}$")


@dataclass(frozen=True, slots=True)
class Note:
    """A note, named `notes/{id}`, with a required title."""

    name: str
    title: str
    body: str

    @classmethod
    def create(cls, title: str, body: str, *, title_max_length: int) -> Note:
        """A new note with a fresh name; the title must be present and not too long."""
        title = title.strip()
        if not title:
            raise ValidationError(
                "a note needs a title", [FieldViolation("title", "must not be empty")]
            )
        if len(title) > title_max_length:
            raise ValidationError(
                "the note's title is too long",
                [FieldViolation("title", f"must be at most {title_max_length} characters")],
            )
        return cls(name=f"notes/{uuid.uuid4().hex}", title=title, body=body)


def checked_note_name(name: str) -> str:
    """`name` if it is a note's resource name, else a ValidationError naming the field."""
    if not NOTE_NAME.match(name):
        raise ValidationError(
            f"'{name}' is not a note name",
            [FieldViolation("name", "must look like notes/{32 hex digits}")],
        )
    return name


class NoteRepository(Protocol):
    """Where notes are kept."""

    async def add(self, note: Note) -> None: ...

    async def get(self, name: str) -> Note | None: ...


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
