"""The extractive answerer: an answer made of the retrieved passages' own sentences, each cited
exactly, when some of them support it well enough; otherwise the answer says the sources do not
contain one.

Every sentence of every passage is scored against the question (domain/support.py: the share
of the question's content words it holds, near-synonyms in part, and the similarity of their
embeddings). The best sentence must reach MIN_SUPPORT, or the answer is NO_ANSWER; then up to
MAX_SENTENCES sentences scoring close to the best are quoted, those of one passage in their
order, and each is cited with its exact span in the document revision. A follow-up question
("and how is it deleted?") is read with the question before it, and answered only by sentences
that hold something it asks itself.

The text streams word by word, so a client shows it as it comes; a sentence's citation follows
its last word.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..domain.answers import (
    AnswerEvent,
    CitationMade,
    Finished,
    Outcome,
    Passage,
    TextDelta,
    Turn,
)
from ..domain.sentences import Sentence, split_sentences
from ..domain.support import Weights, coverage, near_credit, support
from ..domain.terms import content_words, stem, terms
from ..domain.wording import NO_ANSWER_TEXT

NAME = "extractive"
# The support the best sentence needs for an answer (0..1), and how close to it another must
# come to be quoted as well.
MIN_SUPPORT = 0.42
RELATIVE_SUPPORT = 0.85
MAX_SENTENCES = 3
# A follow-up question this short, or referring back ("it", "that"), is read with the one before.
FOLLOW_UP_WORDS = 3
_REFERRING = re.compile(r"\b(it|its|they|them|their|this|that|these|those|there|he|she)\b", re.I)
_PIECE = re.compile(r"\s*\S+")


class TextEmbedder(Protocol):
    """L2-normalised rows, one per text."""

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


@dataclass(frozen=True, slots=True)
class Pick:
    """A sentence chosen for the answer: of passage `passage` (an index), with its support."""

    passage: int
    sentence: Sentence
    score: float


class ExtractiveAnswerer:
    """Answers with quoted, cited sentences of the passages (see the module's description)."""

    def __init__(
        self,
        embedder: TextEmbedder,
        *,
        min_support: float = MIN_SUPPORT,
        max_sentences: int = MAX_SENTENCES,
    ) -> None:
        self._embedder = embedder
        self._min_support = min_support
        self._max_sentences = max_sentences

    @property
    def name(self) -> str:
        return NAME

    async def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn]
    ) -> AsyncIterator[AnswerEvent]:
        try:
            picks = await asyncio.to_thread(self.choose, question, passages, history)
        except Exception as error:  # the embedding model failed: say so, never half an answer
            yield Finished(Outcome.FAILED, error=f"the extractive answerer failed: {error}")
            return
        if not picks:
            for piece in _pieces(NO_ANSWER_TEXT):
                yield TextDelta(piece)
                await asyncio.sleep(0)
            yield Finished(Outcome.NO_ANSWER)
            return
        produced = 0
        for number, pick in enumerate(picks):
            text = pick.sentence.text if number == 0 else " " + pick.sentence.text
            for piece in _pieces(text):
                yield TextDelta(piece)
                await asyncio.sleep(0)
            answer_end = produced + len(text)
            passage = passages[pick.passage]
            yield CitationMade(
                passage=pick.passage,
                start=passage.start + pick.sentence.start,
                end=passage.start + pick.sentence.end,
                answer_start=answer_end - len(pick.sentence.text),
                answer_end=answer_end,
            )
            produced = answer_end
        yield Finished(Outcome.COMPLETE)

    def choose(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn]
    ) -> list[Pick]:
        """The sentences to quote, in the answer's order (none: the sources do not answer)."""
        candidates = list(_candidates(passages))
        asked = _asked(question, history)
        if not candidates or not asked.strip():
            return []
        sentence_words = [terms(sentence.text) for _, sentence in candidates]
        question_words = content_words(asked)
        weights = Weights.of_question({stem(word) for word in question_words}, sentence_words)
        own = terms(question)
        earlier = terms(asked[: len(asked) - len(question)]) - own
        # A follow-up's answer holds something it asks itself: one holding only what the
        # question before asked answers that one (there, words only it brings count at half).
        own_weights = Weights({w: v for w, v in weights.of.items() if w in own})
        if earlier:
            weights = Weights(
                {w: v * (0.5 if w in earlier else 1.0) for w, v in weights.of.items()}
            )
        vectors = self._embedder.embed([sentence.text for _, sentence in candidates] + [asked])
        similarities = vectors[:-1] @ vectors[-1]
        near = self._near(question_words, [sentence.text for _, sentence in candidates])
        scored: list[Pick] = []
        for index, (number, sentence) in enumerate(candidates):
            context = terms(sentence.heading) | terms(passages[number].title)
            for neighbour in (index - 1, index + 1):  # the sentences either side
                if 0 <= neighbour < len(candidates) and candidates[neighbour][0] == number:
                    context |= sentence_words[neighbour]
            words = sentence_words[index]
            if (
                earlier
                and own_weights.of
                and not coverage(own_weights, words, context, near[index])
            ):
                continue
            held = coverage(weights, words, context, near[index])
            scored.append(Pick(number, sentence, support(held, float(similarities[index]))))
        if not scored:
            return []
        scored.sort(key=lambda pick: pick.score, reverse=True)
        best = scored[0].score
        if best < self._min_support:
            return []
        floor = max(self._min_support, best * RELATIVE_SUPPORT)
        chosen: list[Pick] = []
        seen: set[str] = set()
        for pick in scored:
            if pick.score < floor or len(chosen) == self._max_sentences:
                break
            if pick.sentence.text not in seen:
                seen.add(pick.sentence.text)
                chosen.append(pick)
        first = {pick.passage: rank for rank, pick in reversed(list(enumerate(chosen)))}
        chosen.sort(key=lambda pick: (first[pick.passage], pick.sentence.start))
        return chosen

    def _near(self, question_words: list[str], sentences: list[str]) -> list[dict[str, float]]:
        """Per sentence, the credit of each question word (stemmed) it holds only a word close
        in meaning to."""
        asked = sorted(set(question_words))
        per_sentence = [sorted(set(content_words(text))) for text in sentences]
        vocabulary = sorted({word for words in per_sentence for word in words})
        if not asked or not vocabulary:
            return [{} for _ in sentences]
        vectors = self._embedder.embed(asked + vocabulary)
        similarity = vectors[len(asked) :] @ vectors[: len(asked)].T  # vocabulary x asked
        row = {word: index for index, word in enumerate(vocabulary)}
        near: list[dict[str, float]] = []
        for words in per_sentence:
            if not words:
                near.append({})
                continue
            best = similarity[[row[word] for word in words]].max(axis=0)
            credits: dict[str, float] = {}
            for word, value in zip(asked, best, strict=True):
                credit = near_credit(float(value))
                if credit > 0:
                    key = stem(word)
                    credits[key] = max(credits.get(key, 0.0), credit)
            near.append(credits)
        return near


def _asked(question: str, history: Sequence[Turn]) -> str:
    """The question, after the one before it when it is a follow-up."""
    if history and (
        len(terms(question)) <= FOLLOW_UP_WORDS or _REFERRING.search(question) is not None
    ):
        return f"{history[-1].question}\n{question}"
    return question


def _candidates(passages: Sequence[Passage]) -> Iterator[tuple[int, Sentence]]:
    """Each quotable sentence once (passages of one document overlap), with its passage."""
    seen: set[tuple[str, int, int]] = set()
    for number, passage in enumerate(passages):
        for sentence in split_sentences(passage.text):
            key = (passage.document, passage.start + sentence.start, passage.revision)
            if key not in seen and terms(sentence.text):
                seen.add(key)
                yield number, sentence


def _pieces(text: str) -> Iterator[str]:
    """The text in pieces of one word, each with the whitespace before it."""
    end = 0
    for match in _PIECE.finditer(text):
        end = match.end()
        yield match.group()
    if end < len(text):
        yield text[end:]
