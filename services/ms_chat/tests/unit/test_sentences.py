"""Passages cut into the sentences an answer quotes: exact slices, Markdown read for structure."""

from __future__ import annotations

from ms_chat.domain.sentences import split_sentences

TEXT = """# Running it

Start the broker first, e.g. with `fleet infra up`. Then run the tests!
They take
a minute.

- **Jars** are cached under ~/.cache. Nothing is downloaded twice.
- Ports are picked at random

| role | may write |
|---|---|
| editor | yes |

```sh
fleet up   # everything
```
"""


def test_every_sentence_is_an_exact_slice_of_the_passage() -> None:
    sentences = split_sentences(TEXT)
    assert all(TEXT[s.start : s.end] == s.text for s in sentences)
    assert [s.text for s in sentences] == [
        "Start the broker first, e.g. with `fleet infra up`.",
        "Then run the tests!",
        "They take\na minute.",
        "**Jars** are cached under ~/.cache.",
        "Nothing is downloaded twice.",
        "Ports are picked at random",
        "| role | may write |",
        "| editor | yes |",
        "fleet up   # everything",
    ]


def test_sentences_know_their_heading_and_kind() -> None:
    sentences = split_sentences(TEXT)
    assert {s.heading for s in sentences} == {"Running it"}
    assert [s.kind for s in sentences][3:] == ["item", "sentence", "item", "row", "row", "code"]


def test_text_without_sentences_gives_none() -> None:
    assert split_sentences("") == []
    assert split_sentences("# Only a heading\n\n---\n") == []
