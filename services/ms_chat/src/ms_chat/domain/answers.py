"""What an answerer is given and what it gives back: the passages retrieved for a question, the
earlier turns of the branch, and the stream of events that make up its answer.

An answer is a stream: pieces of text (`TextDelta`), citations tying a span of the text produced
so far to a span of one passage (`CitationMade`), and exactly one `Finished` at the end. Offsets
are code points; passage offsets are in the passage's document revision, so a citation names
the very characters of that revision it rests on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrieved chunk; content[start:end] == text in revision `revision` of `document`."""

    chunk: str  # spaces/{s}/documents/{d}/chunks/{n}
    document: str
    space: str
    title: str
    revision: int
    text: str
    start: int
    end: int
    score: float
    headings: tuple[str, ...] = ()  # the headings it sits under, outermost first


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier question of the branch and the answer it got (oldest first), so that a
    follow-up question can be read in its context."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class TextDelta:
    """The next piece of the answer's text."""

    text: str


@dataclass(frozen=True, slots=True)
class CitationMade:
    """The answer span [answer_start, answer_end) is supported by the revision span
    [start, end) of passage `passage` (an index into the passages given), with
    passage.start <= start < end <= passage.end; answer offsets count the text produced so far.
    """

    passage: int
    start: int
    end: int
    answer_start: int
    answer_end: int


class Outcome(Enum):
    """How an answer ended: answered, the sources do not answer, or the answerer failed."""

    COMPLETE = "complete"
    NO_ANSWER = "no_answer"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Finished:
    """The last event of an answer: its outcome, the tokens it used, and the error that
    failed it (empty unless FAILED)."""

    outcome: Outcome
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str = ""


AnswerEvent = TextDelta | CitationMade | Finished


class Answerer(Protocol):
    """Answers a question from the passages retrieved for it."""

    @property
    def name(self) -> str:
        """Recorded as AnswerUsage.model: "extractive", or the language model's name."""
        ...

    def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn]
    ) -> AsyncIterator[AnswerEvent]:
        """Yields deltas and citations, then exactly one Finished. Cancellation (stop) may come
        at any await. NO_ANSWER: the text says the sources do not answer (no citations)."""
        ...
