"""Citation markers read out of a streamed answer: valid ones cite their sentence, others are
dropped, none reaches the text."""

from __future__ import annotations

from ms_chat.domain.markers import Marked, MarkerReader


def _read(pieces: list[str], passages: int) -> tuple[str, list[Marked], int]:
    reader = MarkerReader(passages)
    shown, marks = "", []
    for piece in pieces:
        text, found = reader.feed(piece)
        shown += text
        marks += found
    shown += reader.finish()
    return shown, marks, reader.dropped


def test_markers_split_across_pieces_cite_the_sentence_before_them() -> None:
    text, marks, dropped = _read(["Kafka uses TLS [", "1]. It is ", "fast [2,", " 3]."], 2)
    assert text == "Kafka uses TLS. It is fast."
    assert [(m.passage, text[m.answer_start : m.answer_end]) for m in marks] == [
        (0, "Kafka uses TLS"),
        (1, "It is fast"),
    ]
    assert dropped == 1  # [3]: only two passages were given


def test_text_that_only_looks_like_a_marker_is_shown_in_the_end() -> None:
    text, marks, _ = _read(["See the list [a] and [", "12"], 3)
    assert text == "See the list [a] and [12"
    assert marks == []


def test_a_marker_at_the_very_start_cites_nothing() -> None:
    text, marks, dropped = _read(["[1] Hello."], 1)
    assert text == "Hello."
    assert marks == [] and dropped == 1
