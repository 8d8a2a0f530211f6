"""Where in a passage a generated claim comes from: the passage's sentence that shares the most of
the claim's content words, or the whole passage when no sentence shares any."""

from __future__ import annotations

from .answers import Passage
from .sentences import split_sentences
from .terms import terms


def cited_span(passage: Passage, claim: str) -> tuple[int, int]:
    """The revision span (start, end) inside `passage` that supports `claim`."""
    wanted = terms(claim)
    best: tuple[float, int, int] | None = None
    if wanted:
        for sentence in split_sentences(passage.text):
            shared = len(wanted & terms(sentence.text)) / len(wanted)
            if shared > 0 and (best is None or shared > best[0]):
                best = (shared, sentence.start, sentence.end)
    if best is None:
        return passage.start, passage.end
    return passage.start + best[1], passage.start + best[2]
