"""Messages of a conversation: questions, and answers with their citations, status and usage.

Messages form a tree: an answer's parent is its question, a question's parent is the answer it
follows. Asking again makes a sibling answer; editing a question makes a sibling question.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import IntEnum

from .names import space_of


class Role(IntEnum):
    """Who wrote a message (knowledge.chat.v1.MessageRole)."""

    USER = 1
    ASSISTANT = 2


class AnswerStatus(IntEnum):
    """How an answer ended (knowledge.chat.v1.AnswerStatus); 0 for questions."""

    NONE = 0
    ANSWERING = 1
    COMPLETE = 2
    STOPPED = 3
    NO_ANSWER = 4
    FAILED = 5

    @property
    def final(self) -> bool:
        return self not in (AnswerStatus.NONE, AnswerStatus.ANSWERING)


class Rating(IntEnum):
    """Thumbs up or down (knowledge.chat.v1.Rating)."""

    UP = 1
    DOWN = 2


@dataclass(frozen=True, slots=True)
class Usage:
    """What producing one answer took."""

    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    passages: int = 0
    first_token_ms: int = 0
    total_ms: int = 0


@dataclass(frozen=True, slots=True)
class Feedback:
    rating: Rating
    comment: str
    time: datetime


@dataclass(frozen=True, slots=True)
class Citation:
    """A passage of a document revision, and the span of the answer it supports (zero for a
    retrieved source not tied to any text). Offsets are code points."""

    document: str
    chunk: str
    title: str
    snippet: str
    revision: int
    start: int
    end: int
    score: float
    answer_start: int = 0
    answer_end: int = 0
    unavailable: bool = False

    @property
    def space(self) -> str:
        return space_of(self.document)

    def seen_by(self, readable: frozenset[str]) -> Citation:
        """This citation as a reader of `readable` spaces may see it: a passage of a space they
        can no longer read keeps only its document, chunk and answer span."""
        if self.space in readable:
            return self
        return replace(self, title="", snippet="", start=0, end=0, score=0.0, unavailable=True)


@dataclass(frozen=True, slots=True)
class Message:
    """One turn of a conversation (`status`, `usage`, `feedback` and `citations` for answers)."""

    name: str
    conversation: str
    role: Role
    content: str
    parent: str
    create_time: datetime
    status: AnswerStatus = AnswerStatus.NONE
    usage: Usage | None = None
    feedback: Feedback | None = None
    citations: tuple[Citation, ...] = ()

    @property
    def is_answer(self) -> bool:
        return self.role is Role.ASSISTANT

    def seen_by(self, readable: frozenset[str]) -> Message:
        """The message with each citation as a reader of `readable` spaces may see it."""
        if all(citation.space in readable for citation in self.citations):
            return self
        return replace(self, citations=tuple(c.seen_by(readable) for c in self.citations))
