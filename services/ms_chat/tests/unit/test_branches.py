"""The branch a conversation shows, and the earlier turns a follow-up question is read with."""

from __future__ import annotations

from datetime import UTC, datetime

from ms_chat.domain.branches import branch_ending_at, turns_of
from ms_chat.domain.messages import AnswerStatus, Message, Role

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def message(name: str, parent: str, role: Role, content: str = "text", **fields: object) -> Message:
    return Message(name, "c", role, content, parent, NOW, **fields)  # type: ignore[arg-type]


def test_the_branch_follows_parents_from_the_first_question_down() -> None:
    parents = {"q1": "", "a1": "q1", "a1b": "q1", "q2": "a1b", "a2": "q2", "q2x": "a1"}

    assert branch_ending_at("a2", parents) == ["q1", "a1b", "q2", "a2"]
    assert branch_ending_at("q2x", parents) == ["q1", "a1", "q2x"]
    assert branch_ending_at("", parents) == []
    assert branch_ending_at("gone", parents) == []


def test_a_cycle_in_stored_parents_ends_the_walk() -> None:
    assert branch_ending_at("a", {"a": "b", "b": "a"}) == ["b", "a"]


def test_turns_pair_questions_with_their_answers_leaving_failed_ones_out() -> None:
    branch = [
        message("q1", "", Role.USER, "first?"),
        message("a1", "q1", Role.ASSISTANT, "one", status=AnswerStatus.COMPLETE),
        message("q2", "a1", Role.USER, "second?"),
        message("a2", "q2", Role.ASSISTANT, "", status=AnswerStatus.FAILED),
        message("q3", "a2", Role.USER, "third?"),
        message("a3", "q3", Role.ASSISTANT, "three", status=AnswerStatus.STOPPED),
    ]

    turns = turns_of(branch, limit=6)

    assert [(turn.question, turn.answer) for turn in turns] == [
        ("first?", "one"),
        ("third?", "three"),
    ]
    assert [turn.question for turn in turns_of(branch, limit=1)] == ["third?"]
    assert turns_of(branch, limit=0) == []
