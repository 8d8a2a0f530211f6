"""Cutting a passage into the sentences an answer can quote.

A passage is read line by line for the Markdown structure it may have: a heading line is a
heading (never quoted, but it tells what the sentences under it are about), a list item or a
table row is a sentence of its own (a row's cells are what it says), a fenced code block gives
one sentence per non-blank line, and the lines of a paragraph are joined and cut after each
sentence's end punctuation. Each sentence is an exact slice of the passage
(`text[start:end] == sentence.text`), trimmed, never empty; plain text is read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

# The end of a sentence: its punctuation, closing quotes or brackets, then whitespace.
_SENTENCE_END = re.compile(r"[.!?…][\"'\u201d\u2019)\]]*(?=\s)")
# Words ending in a full stop that do not end a sentence.
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "vs.", "cf.", "mr.", "mrs.", "dr.", "no."})
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_THEMATIC_BREAK = re.compile(r"[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")

Kind = Literal["sentence", "item", "row", "code"]


@dataclass(frozen=True, slots=True)
class Sentence:
    """A quotable sentence of a passage: passage_text[start:end] == text, and the heading
    it is under (the nearest heading line above it in the passage, or "")."""

    start: int
    end: int
    text: str
    kind: Kind
    heading: str


def _lines(text: str) -> Iterator[tuple[int, int]]:
    position = 0
    while position <= len(text):
        end = text.find("\n", position)
        if end < 0:
            end = len(text)
        yield position, end
        position = end + 1


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, in order."""
    found: list[Sentence] = []
    heading = ""
    block: tuple[int, int, Kind] | None = None  # an open paragraph or list item
    fence: str | None = None

    def close() -> None:
        nonlocal block
        if block is not None:
            found.extend(_cut(text, block[0], block[1], block[2], heading))
            block = None

    for start, end in _lines(text):
        line = text[start:end]
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            elif line.strip():
                found.extend(_cut(text, start, end, "code", heading))
            continue
        if not line.strip() or _THEMATIC_BREAK.match(line):
            close()
            continue
        marker = _FENCE.match(line)
        if marker is not None:
            close()
            fence = marker.group(1)
            continue
        if _HEADING.match(line):
            close()
            heading = line.strip().lstrip("#").strip()
            continue
        if line.lstrip().startswith("|"):
            close()
            if not _TABLE_RULE.match(line):
                found.extend(_cut(text, start, end, "row", heading))
            continue
        item = _ITEM.match(line)
        if item is not None:
            close()
            block = (start + item.end(), end, "item")
            continue
        block = (start, end, "sentence") if block is None else (block[0], end, block[2])
    close()
    return found


def _cut(text: str, start: int, end: int, kind: Kind, heading: str) -> Iterator[Sentence]:
    """The sentences of text[start:end]: a row or a code line whole, prose after each end of a
    sentence."""
    if kind in ("row", "code"):
        start, end = _trimmed(text, start, end)
        if start < end:
            yield Sentence(start, end, text[start:end], kind, heading)
        return
    piece_start = start
    for match in _SENTENCE_END.finditer(text, start, end):
        word_start = match.start()
        while word_start > piece_start and not text[word_start - 1].isspace():
            word_start -= 1
        word = text[word_start : match.end()].lower()
        if word.lstrip("(\"'") in _ABBREVIATIONS:
            continue
        yield from _sentence(text, piece_start, match.end(), kind, heading)
        piece_start = match.end()
        kind = "sentence" if kind == "item" else kind
    yield from _sentence(text, piece_start, end, kind, heading)


def _sentence(text: str, start: int, end: int, kind: Kind, heading: str) -> Iterator[Sentence]:
    start, end = _trimmed(text, start, end)
    if start < end and any(char.isalnum() for char in text[start:end]):
        yield Sentence(start, end, text[start:end], kind, heading)
