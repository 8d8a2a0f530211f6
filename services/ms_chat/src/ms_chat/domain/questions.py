"""What a question may be: some text, not a document pasted whole."""

from __future__ import annotations

from knowledge_kit.errors import FieldViolation, ValidationError

MAX_QUESTION_CHARS = 4000
MAX_FEEDBACK_COMMENT_CHARS = 2000
# Enough of the text for the caller to recognize it.
_SHOWN_CHARS = 32


def checked_question(text: str, field: str = "content") -> str:
    """The question without surrounding blanks; INVALID_ARGUMENT naming `field` when it is
    empty or longer than MAX_QUESTION_CHARS."""
    question = text.strip()
    if not question:
        raise ValidationError(
            f"{field} is empty: ask a question",
            [FieldViolation(field, "must not be empty")],
        )
    if len(question) > MAX_QUESTION_CHARS:
        raise ValidationError(
            f"{field} {question[:_SHOWN_CHARS]!r}… is {len(question)} characters long; at most "
            f"{MAX_QUESTION_CHARS} are accepted",
            [FieldViolation(field, f"must be at most {MAX_QUESTION_CHARS} characters")],
        )
    return question


def checked_comment(text: str, field: str) -> str:
    if len(text) > MAX_FEEDBACK_COMMENT_CHARS:
        raise ValidationError(
            f"{field} is {len(text)} characters long; at most {MAX_FEEDBACK_COMMENT_CHARS} "
            "are accepted",
            [FieldViolation(field, f"must be at most {MAX_FEEDBACK_COMMENT_CHARS} characters")],
        )
    return text
