"""What the repositories share: times as stored, citations as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ..domain.messages import Citation


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for what was stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def citations_json(citations: Iterable[Citation]) -> str:
    return json.dumps([citation_dict(citation) for citation in citations])


def citations_from(text: str) -> tuple[Citation, ...]:
    return tuple(citation_from(value) for value in json.loads(text))


def citation_dict(citation: Citation) -> dict[str, Any]:
    """Every field of the citation but `unavailable`, which is decided whenever it is read."""
    return {
        "document": citation.document,
        "chunk": citation.chunk,
        "title": citation.title,
        "snippet": citation.snippet,
        "revision": citation.revision,
        "start": citation.start,
        "end": citation.end,
        "score": citation.score,
        "answer_start": citation.answer_start,
        "answer_end": citation.answer_end,
    }


def citation_from(value: dict[str, Any]) -> Citation:
    return Citation(
        document=str(value["document"]),
        chunk=str(value["chunk"]),
        title=str(value["title"]),
        snippet=str(value["snippet"]),
        revision=int(value["revision"]),
        start=int(value["start"]),
        end=int(value["end"]),
        score=float(value["score"]),
        answer_start=int(value["answer_start"]),
        answer_end=int(value["answer_end"]),
    )
