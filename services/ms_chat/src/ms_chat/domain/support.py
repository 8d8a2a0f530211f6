"""How well a sentence supports an answer to a question, from the words they share and how close
their meanings are.

A question's content words are weighted by how rare they are among the candidate sentences
(a word in every sentence tells nothing), and a word the candidates never use keeps the
highest weight: a question about something the sources never mention cannot be covered. A
sentence's coverage is the weighted share of the question's words it holds, a word that means
nearly the same (by embedding) counting in part; its heading and its document's title count
at half, since they say what the sentence is about without saying it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# The score of a sentence: coverage of the question's words and similarity of meaning.
COVERAGE_WEIGHT = 0.5
SIMILARITY_WEIGHT = 0.5
# Words whose embeddings are at least this similar count in part; identical ones in full.
MIN_WORD_SIMILARITY = 0.45
CONTEXT_CREDIT = 0.5


@dataclass(frozen=True, slots=True)
class Weights:
    """The weight of each question word: its inverse frequency among the candidates."""

    of: Mapping[str, float]

    @classmethod
    def of_question(cls, question: Iterable[str], candidates: Sequence[set[str]]) -> Weights:
        counts: Counter[str] = Counter()
        for words in candidates:
            counts.update(words)
        total = len(candidates)
        return cls(
            {word: math.log((total + 1) / (counts[word] + 0.5)) + 1.0 for word in set(question)}
        )

    @property
    def total(self) -> float:
        return sum(self.of.values())


def coverage(
    weights: Weights,
    words: set[str],
    context: set[str],
    near: Mapping[str, float],
) -> float:
    """The weighted share (0..1) of the question's words a sentence holds: in full when it holds
    the word, `near[word]` (0..1) when it holds a word close in meaning, CONTEXT_CREDIT when only
    its heading or title does."""
    total = weights.total
    if total <= 0:
        return 0.0
    held = 0.0
    for word, weight in weights.of.items():
        if word in words:
            credit = 1.0
        else:
            credit = max(near.get(word, 0.0), CONTEXT_CREDIT if word in context else 0.0)
        held += weight * credit
    return held / total


def near_credit(similarity: float) -> float:
    """What a word close in meaning counts for: 0 below MIN_WORD_SIMILARITY, rising to 0.8."""
    if similarity < MIN_WORD_SIMILARITY:
        return 0.0
    return min(0.8, 0.8 * (similarity - MIN_WORD_SIMILARITY) / (1 - MIN_WORD_SIMILARITY) + 0.3)


def support(coverage: float, similarity: float) -> float:
    """A sentence's support for answering (0..1)."""
    return COVERAGE_WEIGHT * coverage + SIMILARITY_WEIGHT * max(similarity, 0.0)
