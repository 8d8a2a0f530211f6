"""Reading a generated answer's citation markers as it streams.

A language model told to cite writes markers like "[1]" or "[2, 3]" after what it claims. The
markers never reach the reader as text: they are taken out, and each number that names a passage
given becomes a citation of the answer text before it, back to the start of its sentence. A
number naming no passage is dropped. Text is given out as soon as it cannot be the start of a
marker; the whitespace before a marker is dropped with it ("SCRAM [1]." reads "SCRAM.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKER = re.compile(r"\[(\d{1,4}(?:\s*,\s*\d{1,4})*)\]")
# What may still grow into a marker: "[", "[1", "[1, 2" ... at the end of the text.
_PARTIAL = re.compile(r"\[[\d,\s]{0,24}\Z")
_TRAILING_SPACE = re.compile(r"\s+\Z")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'\u201d\u2019)\]]*\s+|\n+")


@dataclass(frozen=True, slots=True)
class Marked:
    """A valid marker: passage `passage` (0-based) supports answer[answer_start:answer_end]."""

    passage: int
    answer_start: int
    answer_end: int


class MarkerReader:
    """Fed the generated text piece by piece; gives back the text to show and the markers."""

    def __init__(self, passages: int) -> None:
        self._passages = passages
        self._pending = ""
        self._shown = ""  # the answer text given out so far
        self.dropped = 0

    @property
    def text(self) -> str:
        return self._shown

    def feed(self, piece: str) -> tuple[str, list[Marked]]:
        """The text now safe to show and the markers completed by `piece`."""
        self._pending += piece
        out: list[str] = []
        marked: list[Marked] = []
        while True:
            match = _MARKER.search(self._pending)
            if match is None:
                break
            before = _TRAILING_SPACE.sub("", self._pending[: match.start()])
            out.append(self._show(before))
            marked.extend(self._markers(match.group(1)))
            self._pending = self._pending[match.end() :]
        partial = _PARTIAL.search(self._pending)
        keep_from = partial.start() if partial else len(self._pending)
        space = _TRAILING_SPACE.search(self._pending[:keep_from])
        keep_from = space.start() if space else keep_from
        out.append(self._show(self._pending[:keep_from]))
        self._pending = self._pending[keep_from:]
        return "".join(out), marked

    def finish(self) -> str:
        """The text held back at the end (a "[" that never closed is text after all)."""
        rest, self._pending = self._pending, ""
        return self._show(rest.rstrip())

    def _show(self, text: str) -> str:
        if not self._shown:
            text = text.lstrip()  # an answer starts with its first word
        self._shown += text
        return text

    def _claim_start(self, end: int) -> int:
        """Where the sentence ending at `end` starts: after the last sentence end before it."""
        start = 0
        for match in _SENTENCE_END.finditer(self._shown, 0, end):
            if match.end() < end:
                start = match.end()
        return start

    def _markers(self, numbers: str) -> list[Marked]:
        end = len(self._shown)
        start = self._claim_start(end)
        found: list[Marked] = []
        for number in dict.fromkeys(int(n) for n in numbers.split(",")):
            if 1 <= number <= self._passages and start < end:
                found.append(Marked(number - 1, start, end))
            else:
                self.dropped += 1
        return found
