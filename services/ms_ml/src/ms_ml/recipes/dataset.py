"""The reranker's training data: an evaluation set of questions whose answers are quotes of a
corpus of Markdown documents (ms_vector's, shipped as text), and answer feedback.

A dataset directory holds `corpus/*.md`, `questions.jsonl` (`{"question", "answers": [{"document",
"quote"}]}`) and, optionally, `feedback.jsonl` (`{"question", "document", "quote", "rating": "up" |
"down"}`: an asker's thumbs on an answer citing that passage). A passage answers a question when
it holds at least half of one of its quotes, matched ignoring whitespace, backticks and
asterisks. Feedback only ever trains: the held-out split is drawn from the evaluation set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .passages import Passage, cut_markdown


class DatasetError(ValueError):
    """The dataset is missing a part or holds something unreadable; the message says where."""


@dataclass(frozen=True, slots=True)
class Question:
    """A question with the passages that answer it and those an asker said do not."""

    text: str
    relevant: frozenset[int]
    irrelevant: frozenset[int] = frozenset()
    from_feedback: bool = False


@dataclass(frozen=True, slots=True)
class Dataset:
    passages: list[Passage]
    questions: list[Question]
    feedback: list[Question] = field(default_factory=list)


def _normalised(text: str) -> tuple[str, list[int]]:
    """The text without backticks and asterisks and with whitespace runs as one space, and
    where each of its characters was in the original."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for index, char in enumerate(text):
        if char in "`*":
            continue
        if char.isspace():
            space = True
            continue
        if space and out:
            out.append(" ")
            where.append(index - 1)
        space = False
        out.append(char)
        where.append(index)
    return "".join(out), where


class _Quotes:
    """Finds quotes in the corpus and the passages that hold at least half of them."""

    def __init__(self, documents: dict[str, str], passages: list[Passage]) -> None:
        self._normalised = {name: _normalised(content) for name, content in documents.items()}
        self._passages = passages

    def answering(self, document: str, quote: str, where: str) -> set[int]:
        if document not in self._normalised:
            raise DatasetError(f"{where}: no document {document!r} in corpus/")
        text, positions = self._normalised[document]
        wanted = _normalised(quote)[0]
        found = text.find(wanted) if wanted else -1
        if found < 0:
            raise DatasetError(f"{where}: quote not found in {document}: {quote[:80]!r}")
        start, end = positions[found], positions[found + len(wanted) - 1] + 1
        return {
            index
            for index, passage in enumerate(self._passages)
            if passage.document == document
            and (min(end, passage.end) - max(start, passage.start)) * 2 >= end - start
        }


def _records(path: Path) -> list[tuple[str, dict[str, object]]]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DatasetError(f"{where}: not JSON ({error.msg})") from error
        if not isinstance(record, dict) or not isinstance(record.get("question"), str):
            raise DatasetError(f"{where}: needs a string 'question'")
        records.append((where, record))
    return records


def load_dataset(directory: Path, *, max_chars: int = 1200) -> Dataset:
    """Reads a dataset directory (see the module's docstring)."""
    corpus = sorted((directory / "corpus").glob("*.md"))
    if not corpus:
        raise DatasetError(f"no Markdown documents in {directory / 'corpus'}")
    questions_file = directory / "questions.jsonl"
    if not questions_file.is_file():
        raise DatasetError(f"no questions.jsonl in {directory}")
    documents = {path.stem: path.read_text(encoding="utf-8") for path in corpus}
    passages = [
        passage
        for name, content in documents.items()
        for passage in cut_markdown(name, content, max_chars=max_chars)
    ]
    quotes = _Quotes(documents, passages)
    questions = []
    for where, record in _records(questions_file):
        answers = record.get("answers")
        if not isinstance(answers, list) or not answers:
            raise DatasetError(f"{where}: needs a non-empty list 'answers'")
        relevant: set[int] = set()
        for answer in answers:
            if not isinstance(answer, dict):
                raise DatasetError(f"{where}: each answer is {{document, quote}}")
            relevant |= quotes.answering(
                str(answer.get("document")), str(answer.get("quote")), where
            )
        questions.append(Question(str(record["question"]), frozenset(relevant)))
    return Dataset(passages, questions, _feedback(directory / "feedback.jsonl", quotes))


def _feedback(path: Path, quotes: _Quotes) -> list[Question]:
    if not path.is_file():
        return []
    by_question: dict[str, tuple[set[int], set[int]]] = {}
    for where, record in _records(path):
        rating = record.get("rating")
        if rating not in ("up", "down"):
            raise DatasetError(f"{where}: rating must be 'up' or 'down'")
        cited = quotes.answering(str(record.get("document")), str(record.get("quote")), where)
        up, down = by_question.setdefault(str(record["question"]), (set(), set()))
        (up if rating == "up" else down).update(cited)
    return [
        Question(text, frozenset(up), frozenset(down - up), from_feedback=True)
        for text, (up, down) in by_question.items()
    ]
