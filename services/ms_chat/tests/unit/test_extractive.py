"""The extractive answerer on the real embedding model: quoted, exactly cited sentences, or the
sources said not to answer."""

from __future__ import annotations

from ms_chat.domain.answers import (
    AnswerEvent,
    CitationMade,
    Finished,
    Outcome,
    Passage,
    TextDelta,
    Turn,
)
from ms_chat.domain.wording import NO_ANSWER_TEXT
from ms_chat.service.answerers import shared_embedder
from ms_chat.service.extractive import ExtractiveAnswerer

CONTENT = """# Local infrastructure

Every test runs against a real PostgreSQL and a real Apache Kafka. The broker's jars are
downloaded once and cached under ~/.cache/knowledge-fleet between runs. A test that needs the
database and does not find it fails, it is never skipped.

# Tokens

Access tokens are signed with Ed25519 and expire after fifteen minutes. Refresh tokens are
rotated on every use, and a reused refresh token revokes the whole family.
"""
CUT = CONTENT.index("# Tokens")


def _passage(start: int, end: int, number: int) -> Passage:
    return Passage(
        chunk=f"spaces/s/documents/handbook/chunks/{number}",
        document="spaces/s/documents/handbook",
        space="spaces/s",
        title="Handbook",
        revision=7,
        text=CONTENT[start:end],
        start=start,
        end=end,
        score=0.5,
    )


PASSAGES = [_passage(CUT, len(CONTENT), 1), _passage(0, CUT, 0)]


async def _answer(question: str, history: list[Turn] | None = None) -> list[AnswerEvent]:
    answerer = ExtractiveAnswerer(shared_embedder())
    return [event async for event in answerer.answer(question, PASSAGES, history or [])]


def _text(events: list[AnswerEvent]) -> str:
    return "".join(event.text for event in events if isinstance(event, TextDelta))


async def test_the_answer_quotes_the_supporting_sentence_and_cites_its_exact_span() -> None:
    events = await _answer("Where are the Kafka jars cached between runs?")
    text = _text(events)
    citations = [event for event in events if isinstance(event, CitationMade)]
    assert citations, text
    assert any(
        "cached under ~/.cache/knowledge-fleet" in CONTENT[c.start : c.end] for c in citations
    )
    for citation in citations:
        passage = PASSAGES[citation.passage]
        assert passage.start <= citation.start < citation.end <= passage.end
        assert (
            text[citation.answer_start : citation.answer_end]
            == CONTENT[citation.start : citation.end]
        )
    assert events[-1] == Finished(Outcome.COMPLETE)
    assert sum(isinstance(event, TextDelta) for event in events) > 5, "streamed word by word"


async def test_a_question_the_sources_do_not_answer_is_said_so_without_citations() -> None:
    events = await _answer("Which languages is the user interface translated into?")
    assert _text(events) == NO_ANSWER_TEXT
    assert not any(isinstance(event, CitationMade) for event in events)
    assert events[-1] == Finished(Outcome.NO_ANSWER)


async def test_a_follow_up_question_is_read_with_the_one_before() -> None:
    history = [Turn("How long do access tokens last?", "They expire after fifteen minutes.")]
    events = await _answer("And what signs them?", history)
    citations = [event for event in events if isinstance(event, CitationMade)]
    assert any("signed with Ed25519" in CONTENT[c.start : c.end] for c in citations), _text(events)


async def test_a_follow_up_is_not_answered_by_what_answered_the_question_before() -> None:
    # Read with the question before, "the colour" scored 0.43 on the token sentence alone.
    history = [Turn("How long do access tokens last?", "They expire after fifteen minutes.")]
    events = await _answer("And the colour?", history)
    assert events[-1] == Finished(Outcome.NO_ANSWER), _text(events)


async def test_no_passages_is_no_answer() -> None:
    answerer = ExtractiveAnswerer(shared_embedder())
    events = [event async for event in answerer.answer("Anything?", [], [])]
    assert events[-1] == Finished(Outcome.NO_ANSWER)
