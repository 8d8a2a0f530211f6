"""Words of queries and passages as the reranker compares them: runs of letters, digits and
underscores, lowercased, common English stop words left out, a light suffix stemming applied,
and an identifier's parts after the identifier itself (`max_per_document` also gives "document").
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

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
    """Plural and verb endings and a final e: "queries" → "query", "indexed" → "index"."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def _term(word: str) -> str | None:
    lowered = word.lower()
    if lowered in STOP_WORDS or not lowered.strip("_"):
        return None
    return stem(lowered)


def terms(text: str) -> list[str]:
    """The terms of `text` in order, with repeats."""
    found: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group()
        term = _term(word)
        if term is not None:
            found.append(term)
        if len(word) > 3 and not (word.isalpha() and (word.islower() or word.istitle())):
            for part in _PART.findall(word):
                part_term = _term(part) if len(part) > 1 else None
                if part_term is not None and part_term != term:
                    found.append(part_term)
    return found


def identifiers(text: str) -> set[str]:
    """Words that read as code: holding an underscore, a dot between words, or mixed case
    inside (`kafka_client_options`, `WordLlamaEmbedder`)."""
    found = set()
    for match in re.finditer(r"[A-Za-z_][\w.]*\w", text):
        word = match.group()
        inner_upper = any(char.isupper() for char in word[1:])
        if "_" in word or "." in word or (inner_upper and any(c.islower() for c in word)):
            found.add(word.lower())
    return found
