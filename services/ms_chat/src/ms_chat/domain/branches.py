"""The answer tree: which messages make up the branch a conversation shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from .answers import Turn
from .messages import AnswerStatus, Message


def branch_ending_at(last: str, parents: Mapping[str, str]) -> list[str]:
    """The names from the first question down to `last`, following each message's parent
    (`parents` maps every message of the conversation to its parent; empty for a root)."""
    branch: list[str] = []
    seen: set[str] = set()
    name = last
    while name and name in parents and name not in seen:
        seen.add(name)
        branch.append(name)
        name = parents[name]
    branch.reverse()
    return branch


def turns_of(branch: Sequence[Message], limit: int) -> list[Turn]:
    """The last `limit` questions of `branch` with the answers they got (oldest first);
    answers that failed or hold no text are left out with their question."""
    turns: list[Turn] = []
    for question, answer in pairwise(branch):
        if question.is_answer or not answer.is_answer or answer.parent != question.name:
            continue
        if answer.status in (AnswerStatus.FAILED, AnswerStatus.ANSWERING) or not answer.content:
            continue
        turns.append(Turn(question=question.content, answer=answer.content))
    return turns[-limit:] if limit else []
