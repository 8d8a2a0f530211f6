"""Aliases have exactly one holder, whatever runs at once, and every move is in the history."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

import pytest
from knowledge_kit.errors import DomainError, NotFoundError, ValidationError

from ms_ml.domain.gates import Comparison, MetricGate
from ms_ml.domain.models import Stage
from ms_ml.main import MlParts

from ..support import ADMIN, linear, model, version

CONCURRENT = 50


async def test_fifty_concurrent_promotions_leave_one_holder_and_fifty_transitions(
    ml: MlParts,
) -> None:
    ranker = await model(ml, "ranker")
    versions = [await version(ml, ranker, linear([float(n)])) for n in range(CONCURRENT)]

    results = await asyncio.gather(
        *(
            ml.promotions.set_alias(f"{ranker}/aliases/champion", v.name, f"try {n}", ADMIN)
            for n, v in enumerate(versions)
        )
    )

    holder = (await ml.promotions.get_alias(f"{ranker}/aliases/champion")).model_version
    page = await ml.promotions.list_transitions(ranker, "", "champion", 200, "")
    moves = page.items
    assert len(moves) == CONCURRENT
    assert all(transition is not None for _, transition in results)
    # The history is one chain: each move replaced the holder the previous move left.
    assert moves[0].previous_model_version == ""
    for before, after in itertools.pairwise(moves):
        assert after.previous_model_version == before.model_version
    assert moves[-1].model_version == holder
    assert {move.model_version for move in moves} == {v.name for v in versions}
    holders = [v for v in versions if "champion" in (await ml.registry.get_version(v.name)).aliases]
    assert [v.name for v in holders] == [holder]


async def test_concurrent_promotions_to_production_leave_one_version_there(ml: MlParts) -> None:
    ranker = await model(ml, "ranker")
    versions = [await version(ml, ranker, linear([float(n)])) for n in range(10)]

    await asyncio.gather(
        *(ml.promotions.promote(v.name, Stage.PRODUCTION, "ship", ADMIN) for v in versions)
    )

    stages = [(await ml.registry.get_version(v.name)).stage for v in versions]
    assert stages.count(Stage.PRODUCTION) == 1
    assert stages.count(Stage.ARCHIVED) == 9


async def test_a_version_failing_a_gate_is_refused_with_the_reason(ml: MlParts) -> None:
    ranker = await model(
        ml,
        "ranker",
        gates=(MetricGate("ndcg_at_10", Comparison.GREATER_THAN_OR_EQUAL, 0.6),),
    )
    weak = await version(ml, ranker, linear([1.0]), metrics={"ndcg_at_10": 0.41})
    unmeasured = await version(ml, ranker, linear([2.0]))

    with pytest.raises(DomainError, match=r"ndcg_at_10 >= 0.6 fails: ndcg_at_10 is 0.41"):
        await ml.promotions.set_alias(f"{ranker}/aliases/champion", weak.name, "", ADMIN)
    with pytest.raises(DomainError, match="has no metric ndcg_at_10"):
        await ml.promotions.promote(unmeasured.name, Stage.PRODUCTION, "", ADMIN)
    with pytest.raises(NotFoundError):
        await ml.promotions.get_alias(f"{ranker}/aliases/champion")
    assert (await ml.registry.get_version(unmeasured.name)).stage is Stage.NONE


async def test_the_history_says_who_when_from_to_and_why(ml: MlParts) -> None:
    ranker = await model(ml, "ranker")
    first = await version(ml, ranker, linear([1.0]))
    second = await version(ml, ranker, linear([2.0]))

    await ml.promotions.promote(first.name, Stage.PRODUCTION, "first release", ADMIN)
    await ml.promotions.promote(second.name, Stage.PRODUCTION, "better recall", "users/grace")
    await ml.promotions.set_alias(f"{ranker}/aliases/champion", second.name, "best", ADMIN)
    await ml.promotions.delete_alias(f"{ranker}/aliases/champion", "retired", ADMIN)

    history = (await ml.promotions.list_transitions(ranker, "", "", 50, "")).items
    described = [
        (
            t.model_version,
            t.from_stage,
            t.to_stage,
            t.alias,
            t.previous_model_version,
            t.actor,
            t.reason,
        )
        for t in history
    ]
    assert described == [
        (first.name, Stage.NONE, Stage.PRODUCTION, "", "", ADMIN, "first release"),
        (
            first.name,
            Stage.PRODUCTION,
            Stage.ARCHIVED,
            "",
            "",
            "users/grace",
            f"archived by promoting {second.name} to PRODUCTION",
        ),
        (second.name, Stage.NONE, Stage.PRODUCTION, "", "", "users/grace", "better recall"),
        (second.name, None, None, "champion", "", ADMIN, "best"),
        ("", None, None, "champion", second.name, ADMIN, "retired"),
    ]
    assert [t.number for t in history] == [1, 2, 3, 4, 5]


async def test_an_unknown_alias_or_a_version_of_another_model_is_refused(ml: MlParts) -> None:
    ranker = await model(ml, "ranker")
    other = await model(ml, "other")
    foreign = await version(ml, other, linear([1.0]))

    with pytest.raises(NotFoundError, match="models/ranker/aliases/nobody does not exist"):
        await ml.registry.get_version(f"{ranker}/aliases/nobody")
    with pytest.raises(ValidationError) as refused:
        await ml.promotions.set_alias(f"{ranker}/aliases/champion", foreign.name, "", ADMIN)
    assert refused.value.violations[0].field == "model_version"
    with pytest.raises(ValidationError) as malformed:
        await ml.promotions.set_alias(f"{ranker}/aliases/Champion!", foreign.name, "", ADMIN)
    assert malformed.value.violations[0].field == "name"


async def test_an_alias_never_points_at_a_version_deleted_at_the_same_time(ml: MlParts) -> None:
    ranker = await model(ml, "ranker")
    versions = [await version(ml, ranker, linear([float(n)])) for n in range(10)]

    async def promote(name: str) -> None:
        with contextlib.suppress(NotFoundError):
            await ml.promotions.set_alias(f"{ranker}/aliases/champion", name, "", ADMIN)

    await asyncio.gather(
        *(promote(v.name) for v in versions),
        *(
            ml.registry.delete_version(v.name, ADMIN, ml.promotions.release_all)
            for v in versions[::2]
        ),
    )

    held = await ml.promotions.list_aliases(ranker, 50, "")
    survivors = {v.name for v in versions[1::2]}
    assert all(alias.model_version in survivors for alias in held.items)
