"""What a language model is asked: the passages, numbered, and the rules of a grounded answer.

The model answers only from the passages and cites each claim with the passage's number in
square brackets; when the passages do not contain the answer it says so in a fixed sentence,
which the answerer recognises (`declines`). Earlier turns of the branch come before the
question, so a follow-up question can be read in its context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .answers import Passage, Turn

DECLINE = "I don't know."
SYSTEM = (
    "You answer questions using only the numbered passages given with the question. "
    "After every sentence that uses a passage, cite it with its number in square brackets, "
    "like [1] or [2, 3]. Never cite a number that is not given. Quote or closely paraphrase "
    "the passages; add nothing they do not say. If the passages do not contain the answer, "
    f'reply exactly "{DECLINE}" and nothing else.'
)
# How the model may say it cannot answer, at the start of its answer.
_DECLINES = re.compile(
    r"^\W*(i\s+(do\s*n[o']?t|cannot|can['\u2019]?t)\s+know|i\s+don['\u2019]t\s+know|"
    r"(the\s+)?(provided\s+|given\s+)?(passages|sources|context|documents)\s+(do\s+not|don['\u2019]t|"
    r"does\s+not|doesn['\u2019]t)\s+(contain|mention|say|provide|include)|"
    r"(i\s+)?(cannot|can['\u2019]?t|am\s+unable\s+to)\s+(answer|find)|"
    r"there\s+is\s+no\s+(information|mention)|no\s+answer)",
    re.IGNORECASE,
)


def declines(text: str) -> bool:
    """Whether an answer starts by saying the passages do not answer the question."""
    return _DECLINES.search(text) is not None


def messages(
    question: str, passages: Sequence[Passage], history: Sequence[Turn]
) -> list[dict[str, str]]:
    """The chat-completions messages: the rules, the earlier turns, then the passages and the
    question."""
    numbered = "\n\n".join(
        f"[{number}] {passage.title}\n{passage.text}"
        for number, passage in enumerate(passages, start=1)
    )
    turns: list[dict[str, str]] = []
    for turn in history:
        turns.append({"role": "user", "content": turn.question})
        turns.append({"role": "assistant", "content": turn.answer})
    asked = f"Passages:\n\n{numbered}\n\nQuestion: {question}"
    return [{"role": "system", "content": SYSTEM}, *turns, {"role": "user", "content": asked}]
