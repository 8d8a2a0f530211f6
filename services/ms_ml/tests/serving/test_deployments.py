"""Deployments serve what their current revision says: a canary takes its share of request keys,
the same key always reaching the same version, a rollback takes effect for the next request, and
a corrupt artifact is never deployed."""

from __future__ import annotations

from collections import Counter

import pytest
from knowledge_kit.errors import DomainError, NotFoundError, ValidationError

from ms_ml.adapters.local_artifacts import LocalArtifactStore
from ms_ml.domain.deployments import TrafficSplit
from ms_ml.domain.inference import PredictionInput
from ms_ml.main import MlParts

from ..support import ADMIN, linear, model, version

KEYS = 10_000


async def test_a_ten_percent_canary_takes_ten_percent_of_ten_thousand_keys(ml: MlParts) -> None:
    ranker = await model(ml, "ranker")
    stable = await version(ml, ranker, linear([1.0]))
    canary = await version(ml, ranker, linear([2.0]))
    deployment = await ml.deployments.create(
        ranker,
        "serving",
        (TrafficSplit(canary.name, "", 10), TrafficSplit(stable.name, "", 90)),
        "",
        1,
        ADMIN,
    )

    answered = Counter(
        [
            (await ml.inference.route(deployment.name, f"user-{key}")).model_version
            for key in range(KEYS)
        ]
    )

    assert abs(answered[canary.name] / KEYS - 0.10) <= 0.02
    assert answered[canary.name] + answered[stable.name] == KEYS
    again = [
        (await ml.inference.route(deployment.name, f"user-{key}")).model_version
        for key in range(50)
    ]
    first = [
        (await ml.inference.route(deployment.name, f"user-{key}")).model_version
        for key in range(50)
    ]
    assert again == first


async def test_a_rollback_serves_the_previous_revision_from_the_next_request(ml: MlParts) -> None:
    ranker = await model(ml, "ranker")
    first = await version(ml, ranker, linear([1.0]))
    second = await version(ml, ranker, linear([2.0]))
    deployment = await ml.deployments.create(ranker, "serving", (), first.name, 1, ADMIN)
    inputs = [PredictionInput(features=(3.0,))]

    await ml.deployments.update(
        deployment.name,
        frozenset({"model_version"}),
        traffic=(),
        model_version=second.name,
        replicas=0,
        etag="",
        reason="ship 2",
        actor=ADMIN,
    )
    assert (await ml.inference.predict(deployment.name, "k", inputs))[0] == [6.0]

    rolled, revision = await ml.deployments.rollback(deployment.name, 0, "2 regressed", ADMIN)

    scores, routed = await ml.inference.predict(deployment.name, "k", inputs)
    assert (scores, routed.model_version, routed.revision) == ([3.0], first.name, 3)
    assert (revision.revision, revision.restored_revision, revision.reason) == (3, 1, "2 regressed")
    history = (await ml.deployments.list_revisions(deployment.name, 10, "")).items
    assert [(r.revision, r.traffic[0].model_version) for r in history] == [
        (3, first.name),
        (2, second.name),
        (1, first.name),
    ]
    assert rolled.revision == 3


async def test_a_corrupt_artifact_is_refused_and_never_deployed(
    ml: MlParts, store: LocalArtifactStore
) -> None:
    ranker = await model(ml, "ranker")
    good = await version(ml, ranker, linear([1.0]))
    corrupt = await version(ml, ranker, linear([5.0]))
    path = store.path_of(corrupt.sha256)
    path.write_bytes(path.read_bytes().replace(b"5.0", b"9.0"))

    with pytest.raises(DomainError, match=f"{corrupt.name} cannot be deployed: .* is corrupt"):
        await ml.deployments.create(ranker, "fresh", (), corrupt.name, 1, ADMIN)
    with pytest.raises(NotFoundError):
        await ml.deployments.get(f"{ranker}/deployments/fresh")

    deployment = await ml.deployments.create(ranker, "serving", (), good.name, 1, ADMIN)
    with pytest.raises(DomainError, match="is corrupt"):
        await ml.deployments.update(
            deployment.name,
            frozenset({"traffic"}),
            traffic=(TrafficSplit(corrupt.name, "", 50), TrafficSplit(good.name, "", 50)),
            model_version="",
            replicas=0,
            etag="",
            reason="canary",
            actor=ADMIN,
        )
    current = await ml.deployments.get(deployment.name)
    assert (current.revision, current.traffic) == (1, (TrafficSplit(good.name, "", 100),))


async def test_bad_traffic_is_refused_naming_the_field(ml: MlParts) -> None:
    ranker = await model(ml, "ranker")
    first = await version(ml, ranker, linear([1.0]))
    second = await version(ml, ranker, linear([2.0]))

    async def refused(*traffic: TrafficSplit) -> str:
        with pytest.raises(ValidationError) as error:
            await ml.deployments.create(ranker, "serving", traffic, "", 1, ADMIN)
        return error.value.violations[0].field

    assert await refused(TrafficSplit(first.name, "", 50), TrafficSplit(second.name, "", 40)) == (
        "deployment.traffic"
    )
    assert await refused(TrafficSplit(first.name, "", 0), TrafficSplit(second.name, "", 100)) == (
        "deployment.traffic[0].percent"
    )
    assert await refused(TrafficSplit(first.name, "champion", 100)) == "deployment.traffic[0]"
    assert await refused(TrafficSplit("models/other/versions/1", "", 100)) == (
        "deployment.traffic[0].model_version"
    )
    with pytest.raises(NotFoundError, match="models/ranker/aliases/champion does not exist"):
        await ml.deployments.create(
            ranker, "serving", (TrafficSplit("", "champion", 100),), "", 1, ADMIN
        )


async def test_a_deployment_following_an_alias_serves_its_new_holder(ml: MlParts) -> None:
    ranker = await model(ml, "ranker")
    first = await version(ml, ranker, linear([1.0]))
    second = await version(ml, ranker, linear([2.0]))
    await ml.promotions.set_alias(f"{ranker}/aliases/champion", first.name, "", ADMIN)
    deployment = await ml.deployments.create(
        ranker, "serving", (TrafficSplit("", "champion", 100),), "", 1, ADMIN
    )
    assert (await ml.inference.route(deployment.name, "k")).model_version == first.name

    await ml.promotions.set_alias(f"{ranker}/aliases/champion", second.name, "", ADMIN)

    assert (await ml.inference.route(deployment.name, "k")).model_version == second.name
    with pytest.raises(DomainError, match="is served by"):
        await ml.registry.delete_version(second.name, ADMIN, ml.promotions.release_all)
