"""What the service itself says in an answer."""

from __future__ import annotations

# The text of a NO_ANSWER: the sources the asker may read do not answer the question.
NO_ANSWER_TEXT = "The sources available to you do not contain an answer to this question."
