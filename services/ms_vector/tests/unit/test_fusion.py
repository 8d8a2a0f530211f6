"""Reciprocal rank fusion: agreement between the two rankings wins, and the scores say how
close each result is to the best possible."""

from __future__ import annotations

import pytest

from ms_vector.domain.fusion import RankedHit, fuse
from ms_vector.domain.ports import Hit


def hits(*ids: int) -> list[Hit]:
    return [Hit(id, 1.0 - n / 100) for n, id in enumerate(ids)]


def test_a_chunk_both_rankings_find_beats_one_only_one_ranks_first() -> None:
    fused = fuse(hits(1, 2, 3), hits(4, 2, 5))

    assert (fused[0].id, fused[0].dense_rank, fused[0].lexical_rank) == (2, 2, 2)
    assert fused[0].score == pytest.approx(61 / 62)  # (1/62 + 1/62) / (1/61 + 1/61)


def test_the_first_of_both_rankings_scores_one_and_others_less() -> None:
    fused = fuse(hits(7, 8), hits(7, 9))

    assert fused[0] == RankedHit(7, 1.0, 1, 1)
    assert all(0.0 < hit.score < 1.0 for hit in fused[1:])
    assert [hit.score for hit in fused] == sorted((hit.score for hit in fused), reverse=True)


def test_ranks_say_where_each_retriever_put_the_chunk() -> None:
    fused = {hit.id: hit for hit in fuse(hits(1, 2), hits(3, 1))}

    assert (fused[1].dense_rank, fused[1].lexical_rank) == (1, 2)
    assert (fused[2].dense_rank, fused[2].lexical_rank) == (2, 0)
    assert (fused[3].dense_rank, fused[3].lexical_rank) == (0, 1)


def test_only_ranks_count_not_the_retrievers_scores() -> None:
    dense = [Hit(1, 0.99), Hit(2, 0.10)]
    lexical = [Hit(2, 55.0), Hit(1, 0.01)]

    fused = fuse(dense, lexical)

    assert fused[0].score == fused[1].score
    # A tie goes to the lower id when both have the same best rank.
    assert [hit.id for hit in fused] == [1, 2]


def test_ties_go_to_the_better_single_rank() -> None:
    # 5 is first in one ranking; 6 is second in both: 1/61 vs 2/62 — 6 wins on the sum.
    # 8 (dense 3rd) and 9 (lexical 3rd) tie on the sum and on the best rank: lower id first.
    fused = fuse(hits(5, 6, 8), hits(7, 6, 9))

    assert [hit.id for hit in fused] == [6, 5, 7, 8, 9]


def test_one_empty_ranking_keeps_the_other_order() -> None:
    assert [hit.id for hit in fuse(hits(3, 1, 2), [])] == [3, 1, 2]
    assert [hit.id for hit in fuse([], hits(3, 1, 2))] == [3, 1, 2]
    assert fuse([], []) == []


def test_a_smaller_k_favours_first_places_over_agreement() -> None:
    dense, lexical = hits(1, 2, 3, 4), hits(5, 6, 7, 2)

    assert fuse(dense, lexical, k=60)[0].id == 2
    assert fuse(dense, lexical, k=0)[0].id == 1
