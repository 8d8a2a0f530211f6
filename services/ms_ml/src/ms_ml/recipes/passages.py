"""Markdown documents cut into passages the way a search index holds them: each passage within
one section, with the path of the headings above it, paragraphs packed while they fit."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True, slots=True)
class Passage:
    """A span of a document: its text, where it is, and the headings it sits under."""

    document: str
    title: str
    headings: tuple[str, ...]
    start: int
    end: int
    text: str

    def reranker_text(self) -> str:
        """What a reranker reads: the title, the heading path and the text, one per line (the
        `text_pair` a Predict call sends)."""
        return passage_text(self.title, self.headings, self.text)


def passage_text(title: str, headings: tuple[str, ...], text: str) -> str:
    return "\n".join([title, " > ".join(headings), text])


def split_passage_text(text_pair: str) -> tuple[str, str, str]:
    """(title, heading path, text) of a `text_pair` written by `passage_text`; a text without
    those lines is all text."""
    parts = text_pair.split("\n", 2)
    if len(parts) < 3:
        return "", "", text_pair
    return parts[0], parts[1], parts[2]


def document_title(content: str, default: str) -> str:
    match = re.search(r"^# (.+)$", content, re.MULTILINE)
    return match.group(1).strip() if match else default


def cut_markdown(name: str, content: str, *, max_chars: int = 1200) -> list[Passage]:
    """Sections split at headings (fenced code is never split), each packed into passages of
    at most `max_chars` by whole paragraphs (a longer paragraph is a passage of its own)."""
    title = document_title(content, name)
    blocks: list[tuple[int, int, tuple[str, ...]]] = []  # paragraph spans with their path
    path: list[tuple[int, str]] = []
    offset = 0
    start = -1
    fenced = False
    for line in content.splitlines(keepends=True):
        stripped = line.strip()
        heading = None if fenced else _HEADING.match(line.rstrip("\n"))
        if _FENCE.match(line):
            fenced = not fenced
        if heading is not None or (not stripped and not fenced):
            if start >= 0:
                blocks.append((start, offset, tuple(text for _, text in path)))
                start = -1
            if heading is not None:
                level = len(heading.group(1))
                while path and path[-1][0] >= level:
                    path.pop()
                path.append((level, heading.group(2).strip()))
        elif start < 0:
            start = offset
        offset += len(line)
    if start >= 0:
        blocks.append((start, offset, tuple(text for _, text in path)))

    passages: list[Passage] = []
    open_start, open_end = -1, -1
    open_path: tuple[str, ...] = ()
    for block_start, block_end, block_path in blocks:
        fits = block_end - open_start <= max_chars
        if open_start >= 0 and (block_path != open_path or not fits):
            passages.append(_passage(name, title, content, open_start, open_end, open_path))
            open_start = -1
        if open_start < 0:
            open_start, open_path = block_start, block_path
        open_end = block_end
    if open_start >= 0:
        passages.append(_passage(name, title, content, open_start, open_end, open_path))
    return passages


def _passage(
    name: str, title: str, content: str, start: int, end: int, path: tuple[str, ...]
) -> Passage:
    text = content[start:end].strip()
    return Passage(name, title, path, start, end, text)
