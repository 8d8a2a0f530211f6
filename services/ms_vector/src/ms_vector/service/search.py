"""Searching for a user: the spaces they may read, narrowed by the request, ranked, paged."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from knowledge_kit.api import MAX_QUERY_CHARS, PageTokens
from knowledge_kit.errors import FieldViolation, ValidationError
from knowledge_kit.spaces import SpaceMemberships
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.chunks import IndexedChunk
from ..domain.filters import ChunkFilter
from ..domain.lexical import highlights
from ..domain.names import DOCUMENT, SPACE, space_of
from ..domain.search_mode import SearchMode
from ..repository.index_records import SqlIndexRecords
from .live_index import LiveIndex

DEFAULT_RESULTS = 8
MAX_RESULTS = 50
MAX_DEPTH = 500
"""Results beyond this rank are not offered: later pages end there."""
MAX_FILTER_VALUES = 100
MAX_CONTENT_TYPE_CHARS = 128
MAX_BATCH = 16


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One search as a request states it (validated by `Search`)."""

    query: str
    mode: SearchMode | None = SearchMode.HYBRID  # None: a mode this service does not know
    spaces: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ()
    updated_from: datetime | None = None
    updated_before: datetime | None = None
    page_size: int = 0
    page_token: str = ""
    min_score: float = 0.0
    max_chunks_per_document: int = 0


@dataclass(frozen=True, slots=True)
class Found:
    """A chunk found, with where the query's words occur in it (offsets in its revision)."""

    chunk: IndexedChunk
    score: float
    dense_rank: int
    lexical_rank: int
    highlights: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class SearchPage:
    results: list[Found]
    next_page_token: str
    mode: SearchMode


class Search:
    """Every search is limited to the spaces the caller is a member of, whoever relays it."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        live: LiveIndex,
        pages: PageTokens,
    ) -> None:
        self._sessions = sessions
        self._live = live
        self._pages = pages

    async def search(self, caller: str, query: SearchQuery) -> SearchPage:
        """INVALID_ARGUMENT names each field that is wrong, including a space or document the
        caller may not read (the same answer as for one that does not exist)."""
        async with self._sessions() as session:
            readable = await SpaceMemberships(session).readable_spaces(caller)
        return await self._search(caller, query, readable, "")

    async def search_many(self, caller: str, queries: Sequence[SearchQuery]) -> list[SearchPage]:
        """Each query answered as `search` would, in order; field names are `requests[i].…`."""
        if not 1 <= len(queries) <= MAX_BATCH:
            raise ValidationError(
                f"requests has {len(queries)} searches; 1 to {MAX_BATCH} are accepted",
                [FieldViolation("requests", f"must hold 1 to {MAX_BATCH} searches")],
            )
        async with self._sessions() as session:
            readable = await SpaceMemberships(session).readable_spaces(caller)
        violations = [
            violation
            for index, query in enumerate(queries)
            for violation in _violations(query, readable, f"requests[{index}].")
        ]
        if violations:
            raise _invalid(violations)
        return [
            await self._search(caller, query, readable, f"requests[{index}].")
            for index, query in enumerate(queries)
        ]

    async def _search(
        self, caller: str, query: SearchQuery, readable: frozenset[str], prefix: str
    ) -> SearchPage:
        violations = _violations(query, readable, prefix)
        if violations:
            raise _invalid(violations)
        mode = query.mode or SearchMode.HYBRID
        size = query.page_size or DEFAULT_RESULTS
        page = self._pages.request(size, query.page_token, listing=_listing(caller, query))
        allowed = _filter(query, readable)
        if not allowed.spaces or page.offset >= MAX_DEPTH:
            return SearchPage([], "", mode)
        depth = min(page.offset + page.fetch_limit, MAX_DEPTH)
        # One generation answers the whole search, its query embedded by its own model; its
        # chunks are kept until the search has read them, even if another takes over meanwhile.
        async with self._live.reading() as generation:
            ranked = await generation.retrieval.search(
                query.query.strip(), mode, allowed, depth, query.max_chunks_per_document
            )
            kept = [hit for hit in ranked if hit.score >= query.min_score]
            window = kept[page.offset : page.offset + page.fetch_limit]
            if page.offset + size >= MAX_DEPTH:
                window = window[:size]  # the last page offered
            listed = page.page_at_offset(window)
            async with self._sessions() as session:
                records = SqlIndexRecords(session)
                chunks = await records.chunks_by_id(hit.id for hit in listed.items)
        found = [
            Found(
                chunk=chunks[hit.id],
                score=hit.score,
                dense_rank=hit.dense_rank,
                lexical_rank=hit.lexical_rank,
                highlights=_highlights(query.query, chunks[hit.id]),
            )
            for hit in listed.items
            if hit.id in chunks  # removed between ranking and reading
        ]
        return SearchPage(found, listed.next_page_token, mode)


def _highlights(query: str, chunk: IndexedChunk) -> list[tuple[int, int]]:
    """The query's words in the chunk, as offsets in its revision like the chunk's own."""
    return [
        (chunk.start + start, chunk.start + end) for start, end in highlights(query, chunk.text)
    ]


def _filter(query: SearchQuery, readable: frozenset[str]) -> ChunkFilter:
    spaces = frozenset(query.spaces) & readable if query.spaces else readable
    return ChunkFilter(
        spaces=spaces,
        documents=frozenset(query.documents) or None,
        content_types=frozenset(query.content_types) or None,
        updated_from=query.updated_from,
        updated_before=query.updated_before,
    )


def _listing(caller: str, query: SearchQuery) -> list[str]:
    """Everything a page depends on besides its position: a token opens only for it."""
    mode = query.mode.value if query.mode else ""
    return [
        caller,
        query.query.strip(),
        mode,
        ",".join(sorted(query.spaces)),
        ",".join(sorted(query.documents)),
        ",".join(sorted(query.content_types)),
        query.updated_from.isoformat() if query.updated_from else "",
        query.updated_before.isoformat() if query.updated_before else "",
        repr(query.min_score),
        str(query.max_chunks_per_document),
    ]


def _violations(query: SearchQuery, readable: frozenset[str], prefix: str) -> list[FieldViolation]:
    found: list[FieldViolation] = []

    def refuse(field: str, description: str) -> None:
        found.append(FieldViolation(prefix + field, description))

    text = query.query.strip()
    if not text:
        refuse("query", "must not be empty")
    elif len(query.query) > MAX_QUERY_CHARS:
        refuse("query", f"must be at most {MAX_QUERY_CHARS} characters")
    if query.mode is None:
        refuse("mode", "must be a SearchMode this service knows")
    if not 0 <= query.page_size <= MAX_RESULTS:
        refuse("page_size", f"must be 0 (the default, {DEFAULT_RESULTS}) to {MAX_RESULTS}")
    if math.isnan(query.min_score) or not 0.0 <= query.min_score <= 1.0:
        refuse("min_score", "must be between 0 and 1")
    if query.max_chunks_per_document < 0:
        refuse("max_chunks_per_document", "must not be negative (0: no cap)")
    for field, values in (
        ("spaces", query.spaces),
        ("documents", query.documents),
        ("content_types", query.content_types),
    ):
        if len(values) > MAX_FILTER_VALUES:
            refuse(field, f"must hold at most {MAX_FILTER_VALUES} values")
    for index, space in enumerate(query.spaces[:MAX_FILTER_VALUES]):
        if not SPACE.matches(space):
            refuse(f"spaces[{index}]", "must be a space name, spaces/{space}")
        elif space not in readable:
            refuse(f"spaces[{index}]", f"{space} is not a space you can read")
    for index, document in enumerate(query.documents[:MAX_FILTER_VALUES]):
        if not DOCUMENT.matches(document):
            refuse(
                f"documents[{index}]",
                "must be a document name, spaces/{space}/documents/{document}",
            )
        elif space_of(document) not in readable:
            refuse(f"documents[{index}]", f"{document} is not in a space you can read")
    for index, content_type in enumerate(query.content_types[:MAX_FILTER_VALUES]):
        if not content_type or len(content_type) > MAX_CONTENT_TYPE_CHARS:
            refuse(f"content_types[{index}]", f"must be 1 to {MAX_CONTENT_TYPE_CHARS} characters")
    start, end = query.updated_from, query.updated_before
    if start is not None and end is not None and end <= start:
        refuse("update_time", "end_time must be after start_time")
    return found


def _invalid(violations: list[FieldViolation]) -> ValidationError:
    fields = ", ".join(violation.field for violation in violations)
    return ValidationError(f"the search is not valid: {fields}", violations)
