"""What a question, a title, a list of spaces and a feedback comment may be."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import ValidationError

from ms_chat.domain.conversations import checked_spaces, checked_title, title_from
from ms_chat.domain.questions import MAX_QUESTION_CHARS, checked_comment, checked_question


def test_a_question_is_kept_without_surrounding_blanks() -> None:
    assert checked_question("  Where is the IT desk?\n") == "Where is the IT desk?"
    assert checked_question("x" * MAX_QUESTION_CHARS) == "x" * MAX_QUESTION_CHARS


@pytest.mark.parametrize("text", ["", " \t\n", "x" * (MAX_QUESTION_CHARS + 1), "y" * 50_000])
def test_an_empty_or_overlong_question_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        checked_question(text, "content")
    assert [violation.field for violation in refused.value.violations] == ["content"]
    assert len(refused.value.message) < 200  # the text is quoted by its beginning only


def test_spaces_must_be_space_names_and_are_kept_once_each() -> None:
    assert checked_spaces(("spaces/a", "spaces/b", "spaces/a"), "spaces") == (
        "spaces/a",
        "spaces/b",
    )
    with pytest.raises(ValidationError) as refused:
        checked_spaces(("spaces/a", "documents/b"), "conversation.spaces")
    assert [v.field for v in refused.value.violations] == ["conversation.spaces[1]"]
    with pytest.raises(ValidationError):
        checked_spaces(tuple(f"spaces/s{n}" for n in range(51)), "conversation.spaces")


def test_titles_and_comments_are_bounded() -> None:
    assert checked_title("  Plan  ", "title") == "Plan"
    with pytest.raises(ValidationError):
        checked_title("x" * 201, "title")
    with pytest.raises(ValidationError):
        checked_comment("x" * 2001, "feedback.comment")


def test_a_conversation_without_a_title_takes_its_first_question_shortened() -> None:
    assert title_from("Where is\nthe IT desk?") == "Where is the IT desk?"
    long = title_from("word " * 40)
    assert len(long) <= 80 and long.endswith("…")
