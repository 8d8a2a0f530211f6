"""Cutting documents into passages: every passage cites its exact text, carries its headings,
keeps code blocks whole, stays within the size and overlaps the passage it continues."""

from __future__ import annotations

from itertools import pairwise

import pytest

from ms_vector.domain.chunking import cut_passages, embedding_text
from ms_vector.domain.chunks import Passage

GUIDE = """# Operations guide

How the platform is run day to day.

## Backups

Every night the database is copied to cold storage. Restores are tested weekly.

```sh
pg_dump --format=custom knowledge > nightly.dump

# not a heading: a comment inside the block
pg_restore --clean nightly.dump
```

### Retention

Copies are kept for thirty days.

Alerts
------

The on-call engineer is paged when a backup fails.
"""


def assert_cited(content: str, passages: list[Passage]) -> None:
    assert [passage.ordinal for passage in passages] == list(range(len(passages)))
    for passage in passages:
        assert content[passage.start : passage.end] == passage.text
        assert passage.text.strip()


def passage_with(passages: list[Passage], words: str) -> Passage:
    return next(passage for passage in passages if words in passage.text)


def test_each_passage_is_the_exact_text_at_its_offsets() -> None:
    passages = cut_passages(GUIDE, "text/markdown")

    assert_cited(GUIDE, passages)
    covered = {index for passage in passages for index in range(passage.start, passage.end)}
    lost = [char for index, char in enumerate(GUIDE) if not char.isspace() and index not in covered]
    assert lost == [], "no text is left out of every passage"


def test_markdown_passages_carry_the_path_of_their_headings() -> None:
    passages = cut_passages(GUIDE, "text/markdown")

    assert passage_with(passages, "day to day").heading_path == ("Operations guide",)
    assert passage_with(passages, "cold storage").heading_path == ("Operations guide", "Backups")
    assert passage_with(passages, "thirty days").heading_path == (
        "Operations guide",
        "Backups",
        "Retention",
    )
    # A setext heading (underlined) is a heading too, at level 2.
    assert passage_with(passages, "on-call").heading_path == ("Operations guide", "Alerts")


def test_a_passage_never_spans_two_sections() -> None:
    passages = cut_passages(GUIDE, "text/markdown")

    assert "Retention" not in passage_with(passages, "cold storage").text
    assert passage_with(passages, "thirty days").text.startswith("### Retention")


def test_a_code_block_that_fits_stays_whole_and_its_comments_are_not_headings() -> None:
    code = GUIDE[GUIDE.index("```sh") : GUIDE.index("nightly.dump\n```") + len("nightly.dump\n```")]
    passages = cut_passages(GUIDE, "text/markdown", max_chars=200, overlap_chars=40)

    assert_cited(GUIDE, passages)
    assert any(code in passage.text for passage in passages)
    assert all(passage.heading_path[-1] != "not a heading" for passage in passages)


def test_long_sections_are_cut_within_the_limit_with_overlap_at_word_boundaries() -> None:
    sentences = [f"Sentence {n} explains step {n} of the rollout plan." for n in range(200)]
    content = "# Rollout\n\n" + " ".join(sentences) + "\n"

    passages = cut_passages(content, "text/markdown", max_chars=400, overlap_chars=80)

    assert_cited(content, passages)
    assert len(passages) > 10
    assert all(len(passage.text) <= 400 for passage in passages)
    assert all(passage.heading_path == ("Rollout",) for passage in passages)
    for before, after in pairwise(passages):
        assert after.start < before.end, "a continued section repeats the end of the last one"
        assert before.end - after.start <= 80
        assert content[after.start - 1].isspace(), "overlap starts at a word"
    # Every sentence is whole in at least one passage.
    assert all(any(sentence in passage.text for passage in passages) for sentence in sentences)


def test_a_code_block_longer_than_a_passage_is_cut_between_lines() -> None:
    lines = [f"step_{n} = run(step_{n - 1})" for n in range(1, 120)]
    content = "# Script\n\n```python\n" + "\n".join(lines) + "\n```\n"

    passages = cut_passages(content, "text/markdown", max_chars=300, overlap_chars=50)

    assert_cited(content, passages)
    assert all(len(passage.text) <= 300 for passage in passages)
    assert all(any(line in passage.text for passage in passages) for line in lines)


def test_plain_text_is_cut_by_paragraphs_and_hashes_are_just_text() -> None:
    content = "# not a heading\n\nFirst paragraph.\n\n\n   \nSecond paragraph,\nstill second.\n"

    small = cut_passages(content, "text/plain", max_chars=40, overlap_chars=0)
    whole = cut_passages(content, "text/plain; charset=utf-8")

    assert_cited(content, small)
    assert [passage.text for passage in small] == [
        "# not a heading\n\nFirst paragraph.",
        "Second paragraph,\nstill second.",
    ]
    assert all(passage.heading_path == () for passage in small + whole)
    assert len(whole) == 1 and whole[0].text == content.strip()


def test_unknown_content_types_are_read_as_plain_text() -> None:
    content = "## Title\n\nBody."

    assert cut_passages(content, "application/x-unknown") == cut_passages(content, "text/plain")


@pytest.mark.parametrize("content", ["", "   \n\n\t  \n", "```\n\n```"])
def test_empty_or_blank_content_gives_no_empty_passages(content: str) -> None:
    passages = cut_passages(content, "text/markdown")

    assert_cited(content, passages)


def test_offsets_count_code_points_with_non_ascii_text_and_crlf_lines() -> None:
    content = "# Café ☕\r\n\r\nLe café est prêt. 😀 Ça marche.\r\n\r\n## Über\r\n\r\nGrüße.\r\n"

    passages = cut_passages(content, "text/markdown")

    assert_cited(content, passages)
    assert passage_with(passages, "Grüße").heading_path == ("Café ☕", "Über")


def test_a_huge_single_line_is_cut_into_bounded_passages() -> None:
    content = "x" * 50_000 + " tail"

    passages = cut_passages(content, "text/markdown", max_chars=1000, overlap_chars=100)

    assert_cited(content, passages)
    assert all(len(passage.text) <= 1000 for passage in passages)
    assert passages[-1].text.endswith("tail")


def test_the_embedding_text_puts_title_and_headings_before_the_passage() -> None:
    passage = passage_with(cut_passages(GUIDE, "text/markdown"), "thirty days")

    text = embedding_text("Operations guide", passage)

    assert text == "Operations guide / Backups / Retention\n\n" + passage.text


def test_settings_that_cannot_work_are_refused() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        cut_passages("text", "text/plain", max_chars=0)
    with pytest.raises(ValueError, match="overlap_chars"):
        cut_passages("text", "text/plain", max_chars=100, overlap_chars=60)
