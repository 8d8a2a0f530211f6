"""Cutting a revision's content into passages an answer can cite.

Markdown is read for its structure: headings give every passage its heading path, paragraphs
are kept together, and a fenced code block stays whole in one passage when it fits. Plain text
(and any other content type) is cut by paragraphs. A passage never crosses a heading, holds at
most `max_chars` characters, and one that continues a cut section repeats up to `overlap_chars`
of the passage before it, from a sentence or word boundary, so a sentence cut in two is still
found whole. Each passage is an exact slice of the content (`content[start:end] == text`,
offsets in code points), never empty nor only whitespace.

One pass over the lines and one over the blocks: the work grows linearly with the content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .chunks import Passage

MARKDOWN_CONTENT_TYPES = frozenset({"text/markdown", "text/x-markdown"})
# A heading's title is kept in the heading path up to this length.
MAX_HEADING_CHARS = 200

_ATX_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})(?:[ \t]|\r?$)")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_SETEXT_UNDERLINE = re.compile(r"[ \t]{0,3}(=+|-+)[ \t]*\r?$")
_THEMATIC_BREAK = re.compile(r"[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*\r?$")
# The end of a sentence: its punctuation, closing quotes or brackets, then whitespace.
_SENTENCE_END = re.compile(r"[.!?…][\"'\u201d\u2019)\]]*(?=\s)")
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'\u201d\u2019)\]]*\s+|\n\s*")
_WHITESPACE_RUN = re.compile(r"\s+")
_LAST_WHITESPACE = re.compile(r"\s\S*\Z")

_Kind = Literal["heading", "text", "code"]


@dataclass(frozen=True, slots=True)
class _Block:
    """A heading line, a paragraph or a code block: content[start:end], trimmed."""

    start: int
    end: int
    kind: _Kind
    heading_path: tuple[str, ...]


def cut_passages(
    content: str, content_type: str, *, max_chars: int = 1200, overlap_chars: int = 150
) -> list[Passage]:
    """The passages of `content`, in order, numbered from 0."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    if not 0 <= overlap_chars < max_chars // 2:
        raise ValueError("overlap_chars must be at least 0 and less than half of max_chars")
    media_type = content_type.split(";", 1)[0].strip().lower()
    blocks = (
        _markdown_blocks(content)
        if media_type in MARKDOWN_CONTENT_TYPES
        else _paragraph_blocks(content)
    )
    return _Packer(content, max_chars, overlap_chars).pack(blocks)


def _lines(content: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line, without its line feed."""
    position, length = 0, len(content)
    while position < length:
        end = content.find("\n", position)
        if end < 0:
            end = length
        yield position, end
        position = end + 1


def _trimmed(content: str, start: int, end: int) -> tuple[int, int]:
    """The span without the whitespace at either end (empty when it is all whitespace)."""
    while start < end and content[start].isspace():
        start += 1
    while end > start and content[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_blocks(content: str) -> Iterator[_Block]:
    """Runs of non-blank lines."""
    start = -1
    end = -1
    for line_start, line_end in _lines(content):
        if content[line_start:line_end].isspace() or line_start == line_end:
            if start >= 0:
                yield _Block(*_trimmed(content, start, end), "text", ())
                start = -1
        else:
            if start < 0:
                start = line_start
            end = line_end
    if start >= 0:
        yield _Block(*_trimmed(content, start, end), "text", ())


def _markdown_blocks(content: str) -> Iterator[_Block]:
    """Headings (ATX and one-line setext), fenced code blocks and paragraphs, each with the
    path of the headings above it."""
    path: list[tuple[int, str]] = []
    paragraph_start = paragraph_end = -1
    paragraph_lines = 0
    fence: tuple[str, int] | None = None  # the opening fence's character and length
    code_start = code_end = -1

    def heading_path() -> tuple[str, ...]:
        return tuple(title for _, title in path)

    def enter(level: int, title: str) -> None:
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, title[:MAX_HEADING_CHARS]))

    def paragraph() -> Iterator[_Block]:
        if paragraph_start >= 0:
            start, end = _trimmed(content, paragraph_start, paragraph_end)
            if start < end:
                yield _Block(start, end, "text", heading_path())

    for line_start, line_end in _lines(content):
        line = content[line_start:line_end]
        if fence is not None:
            if not line.isspace() and line:
                code_end = line_end
            marker = _FENCE.match(line)
            if (
                marker is not None
                and marker.group(1)[0] == fence[0]
                and len(marker.group(1)) >= fence[1]
                and (line[marker.end() :].isspace() or marker.end() == len(line))
            ):
                yield _Block(*_trimmed(content, code_start, code_end), "code", heading_path())
                fence = None
            continue
        first = line.lstrip()[:1]
        if not first:
            yield from paragraph()
            paragraph_start, paragraph_lines = -1, 0
            continue
        if first in "`~":
            marker = _FENCE.match(line)
            if marker is not None and "`" not in line[marker.end() :]:
                yield from paragraph()
                paragraph_start, paragraph_lines = -1, 0
                fence = (marker.group(1)[0], len(marker.group(1)))
                code_start, code_end = line_start, line_end
                continue
        if first == "#":
            heading = _ATX_HEADING.match(line)
            if heading is not None:
                yield from paragraph()
                paragraph_start, paragraph_lines = -1, 0
                enter(len(heading.group(1)), _heading_title(line[heading.end() :]))
                start, end = _trimmed(content, line_start, line_end)
                yield _Block(start, end, "heading", heading_path())
                continue
        if first in "=-" and paragraph_lines == 1:
            underline = _SETEXT_UNDERLINE.match(line)
            if underline is not None:
                start, end = _trimmed(content, paragraph_start, line_end)
                title = content[paragraph_start:paragraph_end].strip()
                enter(1 if underline.group(1)[0] == "=" else 2, title)
                yield _Block(start, end, "heading", heading_path())
                paragraph_start, paragraph_lines = -1, 0
                continue
        if first in "-*_" and _THEMATIC_BREAK.match(line) is not None:
            yield from paragraph()
            paragraph_start, paragraph_lines = -1, 0
            continue
        if paragraph_start < 0:
            paragraph_start = line_start
        paragraph_end = line_end
        paragraph_lines += 1
    if fence is not None:  # a code block never closed runs to the end
        start, end = _trimmed(content, code_start, code_end)
        if start < end:
            yield _Block(start, end, "code", heading_path())
    yield from paragraph()


class _Packer:
    """Packs blocks into passages: consecutive blocks of one section while they fit, a block
    too long for one passage in pieces, and the overlap between passages of a section."""

    def __init__(self, content: str, max_chars: int, overlap_chars: int) -> None:
        self._content = content
        self._max = max_chars
        self._overlap = overlap_chars
        self._passages: list[Passage] = []
        self._start = -1  # the open passage, or -1
        self._end = -1
        self._path: tuple[str, ...] = ()
        self._has_body = False
        # Where the trailing run of prose of the open passage starts (the overlap's floor);
        # -1 when it ends in a heading or a code block, which are never repeated.
        self._prose_from = -1

    def pack(self, blocks: Iterator[_Block]) -> list[Passage]:
        for block in blocks:
            if block.end - block.start > self._max:
                for start, end in self._pieces(block):
                    self._add(
                        _Block(
                            start,
                            end,
                            "text" if block.kind != "code" else "code",
                            block.heading_path,
                        )
                    )
            else:
                self._add(block)
        self._emit()
        return self._passages

    def _add(self, block: _Block) -> None:
        if block.kind == "heading":
            if self._start >= 0 and (self._has_body or block.end - self._start > self._max):
                self._emit()
            if self._start < 0:
                self._start = block.start
            self._end = block.end
            self._path = block.heading_path
            self._has_body = False
            self._prose_from = -1
            return
        if self._start < 0:
            self._open(block.start, block)
        elif block.end - self._start <= self._max and block.heading_path == self._path:
            self._end = block.end
            self._has_body = True
            if block.kind != "text":
                self._prose_from = -1
            elif self._prose_from < 0:
                self._prose_from = block.start
        else:
            start = self._overlap_start(block) if block.heading_path == self._path else -1
            self._emit()
            self._open(start if start >= 0 else block.start, block)

    def _open(self, start: int, block: _Block) -> None:
        self._start, self._end = start, block.end
        self._path = block.heading_path
        self._has_body = True
        self._prose_from = start if block.kind == "text" else -1

    def _emit(self) -> None:
        if self._start >= 0:
            self._passages.append(
                Passage(
                    ordinal=len(self._passages),
                    text=self._content[self._start : self._end],
                    start=self._start,
                    end=self._end,
                    heading_path=self._path,
                )
            )
        self._start = -1

    def _overlap_start(self, block: _Block) -> int:
        """Where the passage that continues with `block` starts within the open one's trailing
        prose: the first sentence (else word) boundary at most `overlap_chars` before its
        end, so that the new passage still fits; -1 for none."""
        if self._overlap == 0 or self._prose_from < 0:
            return -1
        low = max(self._end - self._overlap, self._prose_from + 1, block.end - self._max)
        if low >= self._end:
            return -1
        tail = self._content[low : self._end]
        boundary = _SENTENCE_BREAK.search(tail) or _WHITESPACE_RUN.search(tail)
        if boundary is None or low + boundary.end() >= self._end:
            return -1
        return low + boundary.end()

    def _pieces(self, block: _Block) -> Iterator[tuple[int, int]]:
        """A block longer than a passage, in pieces that leave room for the overlap; code is
        cut between lines where it can be, prose between lines, sentences or words."""
        content = self._content
        size = self._max if block.kind == "code" else self._max - self._overlap
        cursor = block.start
        while block.end - cursor > size:
            cut = _cut_point(content, cursor + size // 2, cursor + size)
            end = _trimmed(content, cursor, cut)[1]
            yield cursor, end
            cursor = _trimmed(content, cut, block.end)[0]
        if cursor < block.end:
            yield cursor, block.end


def _heading_title(text: str) -> str:
    """An ATX heading's text without its optional closing run of #."""
    title = text.strip()
    unclosed = title.rstrip("#")
    if not unclosed or unclosed[-1] in " \t":
        title = unclosed.rstrip()
    return title


def _cut_point(content: str, low: int, high: int) -> int:
    """Where to end a piece in (low, high]: before a line break, else after a sentence, else
    before a space; at `high` when the window has none of them."""
    window = content[low : high + 1]
    line_break = window.rfind("\n")
    if line_break > 0:
        return low + line_break
    sentence_end = max((match.end() for match in _SENTENCE_END.finditer(window)), default=0)
    if sentence_end > 0:
        return low + sentence_end
    space = _LAST_WHITESPACE.search(window)
    if space is not None and space.start() > 0:
        return low + space.start()
    return high


def embedding_text(title: str, passage: Passage) -> str:
    """What a passage is embedded (and indexed by words) as: the document's title and the
    passage's headings, then its text. A passage deep in a section still says what it is about
    ("Configuration" of "ms_auth"), which its own words often leave out."""
    context = [part for part in (title.strip(), *passage.heading_path) if part]
    # The title is often the first heading too: say it once.
    unique = [part for index, part in enumerate(context) if part not in context[:index]]
    if not unique:
        return passage.text
    return " / ".join(unique) + "\n\n" + passage.text
