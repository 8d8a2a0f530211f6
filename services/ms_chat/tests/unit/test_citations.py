"""A citation shown to someone who can no longer read its space keeps only where it points."""

from __future__ import annotations

from ms_chat.domain.messages import Citation

CITATION = Citation(
    document="spaces/finance/documents/budget",
    chunk="spaces/finance/documents/budget/chunks/0",
    title="Budget",
    snippet="forty thousand euros",
    revision=3,
    start=10,
    end=30,
    score=0.8,
    answer_start=0,
    answer_end=12,
)


def test_a_reader_of_the_space_sees_the_citation_whole() -> None:
    assert CITATION.seen_by(frozenset({"spaces/finance"})) == CITATION


def test_anyone_else_sees_it_unavailable_without_its_text() -> None:
    withheld = CITATION.seen_by(frozenset({"spaces/handbook"}))

    assert withheld.unavailable
    assert (withheld.title, withheld.snippet, withheld.start, withheld.end) == ("", "", 0, 0)
    assert (withheld.document, withheld.revision) == (CITATION.document, 3)
    assert (withheld.answer_start, withheld.answer_end) == (0, 12)
