"""The events of one answer, as streamed and as logged, numbered 1, 2, 3...: the question, the
sources retrieved, pieces of text and citations as they are produced, then the answer as stored.

The log is what lets a dropped stream resume on any instance: a reader replays what it missed
and follows what is added until the answer's own event.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .messages import Citation, Message


class EventKind(StrEnum):
    QUESTION = "question"
    SOURCES = "sources"
    TOKEN = "token"
    CITATION = "citation"
    ANSWER = "answer"


@dataclass(frozen=True, slots=True)
class QuestionAsked:
    message: Message


@dataclass(frozen=True, slots=True)
class SourcesFound:
    passages: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class TextAdded:
    text: str


@dataclass(frozen=True, slots=True)
class Cited:
    citation: Citation


@dataclass(frozen=True, slots=True)
class Answered:
    message: Message


StreamItem = QuestionAsked | SourcesFound | TextAdded | Cited | Answered


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event of the answer `answer`."""

    answer: str
    sequence: int
    item: StreamItem

    @property
    def last(self) -> bool:
        return isinstance(self.item, Answered)


def seen_by(item: StreamItem, readable: frozenset[str]) -> StreamItem:
    """The event as a reader of `readable` spaces may see it (never a passage of a space they
    can no longer read)."""
    match item:
        case SourcesFound(passages):
            return SourcesFound(tuple(passage.seen_by(readable) for passage in passages))
        case Cited(citation):
            return Cited(citation.seen_by(readable))
        case QuestionAsked(message):
            return QuestionAsked(message.seen_by(readable))
        case Answered(message):
            return Answered(message.seen_by(readable))
    return item
