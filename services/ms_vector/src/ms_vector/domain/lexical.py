"""Search by words: an in-memory BM25 index over chunks, updated chunk by chunk.

Text is cut into words (runs of Unicode letters, digits and underscores), lowercased, common
English stop words left out and a light suffix stemming applied, so "indexes", "indexed" and
"indexing" find each other. An identifier is a word too, and so are its parts:
`max_per_document` and `WordLlamaEmbedder` are found by their whole name and by "document"
or "embedder". The index keeps a posting list per term, so a search touches only the chunks
that hold one of the query's terms, never the whole corpus; each list is scored as numpy arrays
(built when a term is first searched after it changed), not entry by entry in Python.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt

from .chunks import ChunkMeta
from .filters import ChunkFilter
from .ports import Hit

# BM25's term-frequency saturation and length normalisation.
K1 = 1.2
B = 0.75

_WORD = re.compile(r"\w+")
# An identifier's runs of letters and of digits, and the words of a camel-case run.
_RUN = re.compile(r"[^\W\d_]+|\d+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")

STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves""".split()  # noqa: SIM905 - a paragraph of words reads better than a list
)


def stem(word: str) -> str:
    """A light English stemmer for lowercase words: plural and verb endings and a final e
    ("queries" → "query", "indexed" → "index", "stored" and "stores" → "stor")."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif word.endswith("ing") and len(word) > 5:
        word = _undoubled(word[:-3])
    elif word.endswith("ed") and len(word) > 4:
        word = _undoubled(word[:-2])
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def _undoubled(word: str) -> str:
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouslz":
        return word[:-1]
    return word


def tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) of every indexed word of `text`, identifier parts after their whole."""
    for match in _WORD.finditer(text):
        word = match.group()
        start = match.start()
        term = _term(word)
        if term is not None:
            yield term, start, match.end()
        if len(word) > 3 and not (word.isalpha() and (word.islower() or word.istitle())):
            for part, part_start, part_end in _parts(word):
                part_term = _term(part) if part_end - part_start > 1 else None
                if part_term is not None and part_term != term:
                    yield part_term, start + part_start, start + part_end


def _parts(word: str) -> Iterator[tuple[str, int, int]]:
    """The parts of an identifier: `max_per_document` → max, per, document; `HTTPServer2` →
    HTTP, Server, 2."""
    for run in _RUN.finditer(word):
        text = run.group()
        if text.isascii() and not (text.islower() or text.isupper() or text.istitle()):
            for part in _CAMEL.finditer(text):
                yield part.group(), run.start() + part.start(), run.start() + part.end()
        else:
            yield text, run.start(), run.end()


def _term(word: str) -> str | None:
    lowered = word.lower()
    if lowered in STOP_WORDS or lowered.strip("_") == "":
        return None
    return stem(lowered)


def terms(text: str) -> list[str]:
    """The terms a text is indexed (or searched) by, in order, with repeats."""
    return [term for term, _, _ in tokens(text)]


def highlights(query: str, text: str) -> list[tuple[int, int]]:
    """Where the query's terms occur in `text`: (start, end) offsets, in order, not
    overlapping (a matching identifier covers its matching parts)."""
    wanted = set(terms(query))
    if not wanted:
        return []
    spans: list[tuple[int, int]] = []
    for term, start, end in tokens(text):
        if term not in wanted:
            continue
        if spans and start < spans[-1][1]:  # a part inside an identifier already highlighted
            if end > spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
            continue
        spans.append((start, end))
    return spans


_Postings = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]


class LexicalIndex:
    """BM25 over the chunks added to it. Adding an id that is already held replaces it;
    removing one that is not is a no-op."""

    def __init__(self, *, k1: float = K1, b: float = B) -> None:
        self._k1 = k1
        self._b = b
        self._postings: dict[str, dict[int, int]] = {}
        self._terms: dict[int, tuple[str, ...]] = {}
        self._lengths: dict[int, int] = {}
        self._meta: dict[int, ChunkMeta] = {}
        self._total_length = 0
        # Per term: its postings as (ids, term frequencies, chunk lengths), built on demand.
        self._arrays: dict[str, _Postings] = {}

    def __len__(self) -> int:
        return len(self._meta)

    def __contains__(self, id: object) -> bool:
        return id in self._meta

    def meta(self, id: int) -> ChunkMeta | None:
        return self._meta.get(id)

    def add(self, id: int, text: str, meta: ChunkMeta) -> None:
        if id in self._meta:
            self.remove((id,))
        counts = Counter(terms(text))
        for term, count in counts.items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = {}
            postings[id] = count
            self._arrays.pop(term, None)
        length = sum(counts.values())
        self._terms[id] = tuple(counts)
        self._lengths[id] = length
        self._meta[id] = meta
        self._total_length += length

    def remove(self, ids: Iterable[int]) -> None:
        for id in ids:
            if self._meta.pop(id, None) is None:
                continue
            for term in self._terms.pop(id):
                self._arrays.pop(term, None)
                postings = self._postings[term]
                del postings[id]
                if not postings:
                    del self._postings[term]
            self._total_length -= self._lengths.pop(id)

    def search(self, query: str, limit: int, allowed: ChunkFilter) -> list[Hit]:
        """The `limit` admitted chunks scoring best for `query` by BM25, best first (ties by
        id); only chunks holding at least one of its terms."""
        count = len(self._meta)
        if limit <= 0 or count == 0:
            return []
        query_terms = Counter(term for term in terms(query) if term in self._postings)
        if not query_terms:
            return []
        k1, b = self._k1, self._b
        average = max(self._total_length / count, 1.0)
        found_ids: list[npt.NDArray[np.int64]] = []
        gains: list[npt.NDArray[np.float64]] = []
        for term, repeats in query_terms.items():
            ids, frequencies, lengths = self._postings_of(term)
            weight = repeats * math.log(1.0 + (count - len(ids) + 0.5) / (len(ids) + 0.5))
            found_ids.append(ids)
            gains.append(
                weight
                * frequencies
                * (k1 + 1.0)
                / (frequencies + k1 * (1.0 - b) + (k1 * b / average) * lengths)
            )
        candidates, slots = np.unique(np.concatenate(found_ids), return_inverse=True)
        scores = np.bincount(slots, weights=np.concatenate(gains))
        # Best first, ties by id; the filter is asked only until `limit` chunks are admitted.
        order = np.lexsort((candidates, -scores))
        admits = allowed.admits
        held = self._meta
        hits: list[Hit] = []
        for position in order.tolist():
            id = int(candidates[position])
            if admits(held[id]):
                hits.append(Hit(id, float(scores[position])))
                if len(hits) == limit:
                    break
        return hits

    def _postings_of(self, term: str) -> _Postings:
        arrays = self._arrays.get(term)
        if arrays is None:
            postings = self._postings[term]
            ids = np.fromiter(postings.keys(), dtype=np.int64, count=len(postings))
            frequencies = np.fromiter(postings.values(), dtype=np.float64, count=len(postings))
            lengths = np.fromiter(
                (self._lengths[id] for id in postings), dtype=np.float64, count=len(postings)
            )
            arrays = self._arrays[term] = (ids, frequencies, lengths)
        return arrays
