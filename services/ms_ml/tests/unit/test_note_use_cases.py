"""The note use cases on their own, with the unit of work faked in this file."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import pytest
from knowledge_kit.api import PageTokens
from knowledge_kit.errors import (
    AlreadyExistsError,
    ConflictError,
    NotFoundError,
    ValidationError,
)

from ms_ml.domain.notes import Note, NoteChanges
from ms_ml.service.notes import NoteUseCases


class FakeNoteRepository:
    def __init__(self) -> None:
        self.notes: dict[str, Note] = {}

    async def add(self, note: Note) -> None:
        self.notes[note.name] = note

    async def get(self, name: str) -> Note | None:
        return self.notes.get(name)

    async def list_after(self, name: str | None, *, limit: int) -> list[Note]:
        names = sorted(key for key in self.notes if name is None or key > name)
        return [self.notes[key] for key in names[:limit]]

    async def replace(self, note: Note, *, expected_etag: str) -> bool:
        if self.notes[note.name].etag != expected_etag:
            return False
        self.notes[note.name] = note
        return True


class FakeNoteUnitOfWork:
    def __init__(self, notes: FakeNoteRepository) -> None:
        self.notes = notes
        self.committed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self.committed = True


@pytest.fixture
def work() -> FakeNoteUnitOfWork:
    return FakeNoteUnitOfWork(FakeNoteRepository())


@pytest.fixture
def use_cases(work: FakeNoteUnitOfWork) -> NoteUseCases:
    return NoteUseCases(lambda: work, title_max_length=20, pages=PageTokens(b"unit tests"))


async def test_a_created_note_is_committed_and_can_be_read(
    use_cases: NoteUseCases, work: FakeNoteUnitOfWork
) -> None:
    created = await use_cases.create_note("", "  Plan  ", "first steps")
    assert work.committed
    assert created.name.startswith("notes/") and created.title == "Plan" and created.etag
    assert await use_cases.get_note(created.name) == created


async def test_a_chosen_id_names_the_note_once(use_cases: NoteUseCases) -> None:
    created = await use_cases.create_note("plan", "Plan", "")
    assert created.name == "notes/plan"
    with pytest.raises(AlreadyExistsError, match="notes/plan already exists"):
        await use_cases.create_note("plan", "Another plan", "")
    with pytest.raises(ValidationError) as refused:
        await use_cases.create_note("Plan!", "Plan", "")
    assert [v.field for v in refused.value.violations] == ["note_id"]


@pytest.mark.parametrize(
    ("title", "problem"),
    [("   ", "must not be empty"), ("x" * 21, "must be at most 20 characters")],
)
async def test_a_bad_title_is_refused_naming_the_field(
    use_cases: NoteUseCases, work: FakeNoteUnitOfWork, title: str, problem: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        await use_cases.create_note("", title, "")
    assert [(v.field, v.description) for v in refused.value.violations] == [("note.title", problem)]
    assert not work.committed and not work.notes.notes


async def test_reading_a_missing_or_malformed_name_says_which(use_cases: NoteUseCases) -> None:
    missing = "notes/" + "0" * 32
    with pytest.raises(NotFoundError, match=f"{missing} does not exist"):
        await use_cases.get_note(missing)
    with pytest.raises(ValidationError, match=r"'documents/1' is not a name like notes/\{note\}"):
        await use_cases.get_note("documents/1")


async def test_pages_walk_every_note_once_in_name_order(use_cases: NoteUseCases) -> None:
    for note_id in ("c", "a", "e", "b", "d"):
        await use_cases.create_note(note_id, f"Note {note_id}", "")

    seen: list[str] = []
    token = ""
    while True:
        page = await use_cases.list_notes(2, token)
        seen += [note.name for note in page.items]
        token = page.next_page_token
        if not token:
            break

    assert seen == [f"notes/{note_id}" for note_id in "abcde"]


async def test_a_page_token_from_elsewhere_is_refused_naming_it(use_cases: NoteUseCases) -> None:
    other = PageTokens(b"another service").seal(["notes/a"], ())
    with pytest.raises(ValidationError) as refused:
        await use_cases.list_notes(2, other)
    assert [v.field for v in refused.value.violations] == ["page_token"]


async def test_an_update_changes_only_the_masked_fields_and_renews_the_etag(
    use_cases: NoteUseCases,
) -> None:
    created = await use_cases.create_note("plan", "Plan", "first steps")

    updated = await use_cases.update_note(
        "notes/plan",
        NoteChanges(paths={"body"}, title="ignored", body="next steps"),
        etag=created.etag,
    )

    assert (updated.title, updated.body) == ("Plan", "next steps")
    assert updated.etag != created.etag
    assert await use_cases.get_note("notes/plan") == updated


async def test_an_update_with_a_stale_etag_is_aborted_and_changes_nothing(
    use_cases: NoteUseCases,
) -> None:
    created = await use_cases.create_note("plan", "Plan", "")
    await use_cases.update_note(
        "notes/plan", NoteChanges(paths={"title"}, title="Plan B"), etag=created.etag
    )

    with pytest.raises(ConflictError, match="stale etag"):
        await use_cases.update_note(
            "notes/plan", NoteChanges(paths={"title"}, title="Plan C"), etag=created.etag
        )

    assert (await use_cases.get_note("notes/plan")).title == "Plan B"
