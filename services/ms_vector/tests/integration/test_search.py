"""Searching for a user: only spaces they may read, narrowed by filters, capped per document,
paged with tokens bound to the search, and every bad field named."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from knowledge_kit.errors import ValidationError
from knowledge_kit.spaces import MemberRole

from ms_vector.domain.search_mode import SearchMode
from ms_vector.main import VectorParts
from ms_vector.service.search import SearchQuery

from ..support import WHEN, Spaces, revision

ADA = "users/ada"
HANDBOOK = "spaces/handbook"
BOARD = "spaces/board"
SECRET = "The board approved the merger with Initech in a closed session."


@pytest.fixture
async def indexed(vector: VectorParts, spaces: Spaces) -> VectorParts:
    """Ada edits the handbook; the board space is someone else's."""
    await spaces.add(HANDBOOK, ADA, MemberRole.EDITOR)
    await spaces.add(BOARD, "users/bob", MemberRole.OWNER)
    for number in range(6):
        document = f"{HANDBOOK}/documents/policy-{number}"
        text = "\n\n".join(
            f"Policy {number} section {part}: the merger checklist says to archive every invoice. "
            + "Receipts, contracts and statements are kept for ten years in the records room. " * 3
            for part in range(3)
        )
        content_type = "text/plain" if number % 2 else "text/markdown"
        await vector.documents.index(
            ADA,
            revision(
                document,
                text,
                content_type=content_type,
                updated_at=WHEN + timedelta(days=number),
            ),
        )
    await vector.documents.index("users/bob", revision(f"{BOARD}/documents/minutes", SECRET))
    return vector


async def test_nobody_finds_a_space_they_are_not_a_member_of(
    indexed: VectorParts, spaces: Spaces
) -> None:
    for mode in SearchMode:
        page = await indexed.search.search(ADA, SearchQuery("merger Initech board", mode))
        assert {found.chunk.space for found in page.results} == {HANDBOOK}
    outsider = await indexed.search.search("users/eve", SearchQuery("merger"))
    assert outsider.results == []
    robot = await indexed.search.search("serviceAccounts/ms-chat", SearchQuery("merger"))
    assert robot.results == []
    with pytest.raises(ValidationError) as asked:
        await indexed.search.search(ADA, SearchQuery("merger", spaces=(BOARD,)))
    assert [v.field for v in asked.value.violations] == ["spaces[0]"]
    await spaces.add(BOARD, ADA)
    joined = await indexed.search.search(ADA, SearchQuery("Initech", SearchMode.LEXICAL))
    assert [found.chunk.text for found in joined.results] == [SECRET]
    await spaces.remove(BOARD, ADA)
    left = await indexed.search.search(ADA, SearchQuery("Initech", SearchMode.LEXICAL))
    assert left.results == []


async def test_filters_narrow_the_results_and_a_cap_limits_chunks_per_document(
    indexed: VectorParts,
) -> None:
    one = f"{HANDBOOK}/documents/policy-3"
    by_document = await indexed.search.search(ADA, SearchQuery("invoice", documents=(one,)))
    assert by_document.results and {f.chunk.document for f in by_document.results} == {one}
    plain = await indexed.search.search(ADA, SearchQuery("invoice", content_types=("text/plain",)))
    assert plain.results and {f.chunk.content_type for f in plain.results} == {"text/plain"}
    recent = await indexed.search.search(
        ADA, SearchQuery("invoice", updated_from=WHEN + timedelta(days=4), page_size=50)
    )
    assert {f.chunk.document.rsplit("-", 1)[1] for f in recent.results} == {"4", "5"}
    capped = await indexed.search.search(
        ADA, SearchQuery("merger checklist", page_size=6, max_chunks_per_document=1)
    )
    documents = [found.chunk.document for found in capped.results]
    assert len(documents) == 6 and len(set(documents)) == 6


async def test_pages_walk_the_ranking_once_and_a_token_opens_only_for_its_search(
    indexed: VectorParts,
) -> None:
    seen: list[str] = []
    token = ""
    while True:
        page = await indexed.search.search(
            ADA, SearchQuery("archive every invoice", page_size=4, page_token=token)
        )
        seen += [found.chunk.name for found in page.results]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == 18  # 6 documents of 3 passages each
    first = await indexed.search.search(ADA, SearchQuery("invoice", page_size=2))
    with pytest.raises(ValidationError) as reused:
        await indexed.search.search(
            ADA, SearchQuery("merger", page_size=2, page_token=first.next_page_token)
        )
    assert [v.field for v in reused.value.violations] == ["page_token"]


async def test_scores_rank_best_first_and_min_score_leaves_out_weak_results(
    indexed: VectorParts,
) -> None:
    page = await indexed.search.search(ADA, SearchQuery("archive invoice", page_size=50))
    scores = [found.score for found in page.results]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    strict = await indexed.search.search(
        ADA, SearchQuery("archive invoice", page_size=50, min_score=scores[len(scores) // 2])
    )
    assert 0 < len(strict.results) < len(scores)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (SearchQuery("   "), "query"),
        (SearchQuery("x" * 100_000), "query"),
        (SearchQuery("invoice", mode=None), "mode"),
        (SearchQuery("invoice", page_size=51), "page_size"),
        (SearchQuery("invoice", page_size=-1), "page_size"),
        (SearchQuery("invoice", min_score=math.nan), "min_score"),
        (SearchQuery("invoice", min_score=1.5), "min_score"),
        (SearchQuery("invoice", max_chunks_per_document=-2), "max_chunks_per_document"),
        (SearchQuery("invoice", spaces=("handbook",)), "spaces[0]"),
        (SearchQuery("invoice", spaces=("spaces/nowhere",)), "spaces[0]"),
        (SearchQuery("invoice", documents=("spaces/handbook",)), "documents[0]"),
        (SearchQuery("invoice", content_types=("",)), "content_types[0]"),
        (SearchQuery("invoice", updated_from=WHEN, updated_before=WHEN), "update_time"),
        (SearchQuery("invoice", page_token="garbage"), "page_token"),
    ],
)
async def test_a_bad_field_is_refused_naming_it(
    indexed: VectorParts, query: SearchQuery, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        await indexed.search.search(ADA, query)
    assert [violation.field for violation in refused.value.violations] == [field]


async def test_a_batch_answers_each_search_in_order_and_names_the_bad_one(
    indexed: VectorParts,
) -> None:
    pages = await indexed.search.search_many(
        ADA,
        [SearchQuery("invoice", SearchMode.LEXICAL), SearchQuery("Initech", SearchMode.LEXICAL)],
    )
    assert len(pages) == 2 and pages[0].results and pages[1].results == []
    with pytest.raises(ValidationError) as refused:
        await indexed.search.search_many(ADA, [SearchQuery("invoice"), SearchQuery("")])
    assert [v.field for v in refused.value.violations] == ["requests[1].query"]
    with pytest.raises(ValidationError):
        await indexed.search.search_many(ADA, [SearchQuery("invoice")] * 17)
