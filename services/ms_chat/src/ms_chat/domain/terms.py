"""The content words of a text, as the answerers compare a question with a sentence.

Words are runs of Unicode letters, digits and underscores, lowercased, common English words
left out and a light suffix stemming applied ("indexes", "indexed" and "indexing" are one
term). An identifier is a term, and so are its parts: `max_per_document` is also "document".
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing done down during each
    either else ever every few for from further get gets got had has have having he her here
    hers herself him himself his how i if in into is it its itself just let lets like may me
    might more most much must my myself need needs no nor not now of off on once one only or
    other our ours ourselves out over own same shall she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up upon use used uses using very via was way we were what whatever when where whether which
    while who whom whose why will with within without would yes yet you your yours yourself
    yourselves""".split()  # noqa: SIM905 - a paragraph of words reads better than a list
)


def stem(word: str) -> str:
    """A light English stemmer for lowercase words ("queries" → "query", "indexed" →
    "index", "stored" and "stores" → "stor")."""
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


def _term(word: str) -> str | None:
    lowered = word.lower()
    if lowered in STOP_WORDS or not lowered.strip("_"):
        return None
    return stem(lowered)


def content_words(text: str) -> list[str]:
    """The content words of `text` as written (lowercased, not stemmed), in order, with
    repeats; an identifier's parts follow it."""
    words: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if _term(word) is not None:
            words.append(word.lower())
        if len(word) > 3 and not (word.isalpha() and (word.islower() or word.istitle())):
            for part in _PART.findall(word):
                if len(part) > 1 and part.lower() != word.lower() and _term(part) is not None:
                    words.append(part.lower())
    return words


def terms(text: str) -> set[str]:
    """The stemmed content words of `text`."""
    return {stem(word) for word in content_words(text)}
