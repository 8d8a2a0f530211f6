"""Deployments: create one, change its traffic (a new revision each time), roll it back, and
read its revisions. Every version a revision sends traffic to is loaded, its artifact's SHA-256
checked, before the revision is written: a corrupt or missing artifact is refused and the
deployment keeps serving what it served."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from knowledge_kit.api import (
    Clock,
    Page,
    PageTokens,
    check_etag,
    checked_resource_id,
    new_etag,
    utc_now,
)
from knowledge_kit.errors import AlreadyExistsError, ConflictError, DomainError, NotFoundError
from knowledge_kit.events import Outbox

from ..domain.artifacts import ArtifactCorrupt, ArtifactMissing
from ..domain.checks import MAX_REASON_CHARS, bounded_text
from ..domain.deployments import (
    ChangeKind,
    Deployment,
    DeploymentState,
    Revision,
    TrafficSplit,
)
from ..domain.models import ModelVersion
from ..domain.names import (
    DEPLOYMENT,
    MODEL,
    MODEL_ALIAS,
    MODEL_VERSION,
    MODELS_ANY,
    invalid,
    model_of,
)
from ..repository.work import MlWork
from . import events
from .loading import LoadedVersions
from .registry import _after_int, _after_text
from .work import Transactions

MAX_SPLITS = 10
MAX_REPLICAS = 100
UPDATABLE_DEPLOYMENT_FIELDS = ("model_version", "traffic", "replicas")


class Deployments:
    """What callers do with deployments, each change a new revision."""

    def __init__(
        self,
        work: Transactions,
        outbox: Outbox,
        pages: PageTokens,
        loaded: LoadedVersions,
        clock: Clock = utc_now,
    ) -> None:
        self._work = work
        self._outbox = outbox
        self._pages = pages
        self._loaded = loaded
        self._clock = clock

    async def create(
        self,
        parent: str,
        deployment_id: str,
        traffic: Sequence[TrafficSplit],
        model_version: str,
        replicas: int,
        actor: str,
    ) -> Deployment:
        MODEL.check(parent, "parent")
        name = f"{parent}/deployments/{checked_resource_id(deployment_id, 'deployment_id')}"
        splits = checked_traffic(parent, traffic, model_version)
        count = checked_replicas(replicas)
        async with self._work() as work:
            if await work.registry.get_model(parent) is None:
                raise NotFoundError(f"{parent} does not exist")
            await self._servable(work, parent, splits)
        now = self._clock()
        deployment = Deployment(
            name=name,
            model=parent,
            traffic=splits,
            replicas=count,
            state=DeploymentState.SERVING,
            status_message="",
            revision=1,
            etag=new_etag(),
            create_time=now,
            update_time=now,
        )
        async with self._work() as work:
            if not await work.deployments.add(deployment):
                raise AlreadyExistsError(f"{name} already exists")
            await self._revised(work, deployment, actor, "created", ChangeKind.CREATED)
            await work.commit()
        return deployment

    async def get(self, name: str, field: str = "name") -> Deployment:
        DEPLOYMENT.check(name, field)
        async with self._work() as work:
            deployment = await work.deployments.get(name)
        if deployment is None:
            raise NotFoundError(f"{name} does not exist")
        return deployment

    async def list_deployments(
        self, parent: str, page_size: int, page_token: str
    ) -> Page[Deployment]:
        model = None if parent == MODELS_ANY else MODEL.check(parent, "parent")
        request = self._pages.request(page_size, page_token, listing=(parent,))
        after = _after_text(request.after)
        async with self._work() as work:
            if model is not None and await work.registry.get_model(model) is None:
                raise NotFoundError(f"{model} does not exist")
            fetched = await work.deployments.list_deployments(
                model, after, limit=request.fetch_limit
            )
        return request.page(fetched, lambda deployment: [deployment.name])

    async def update(
        self,
        name: str,
        paths: frozenset[str],
        *,
        traffic: Sequence[TrafficSplit],
        model_version: str,
        replicas: int,
        etag: str,
        reason: str,
        actor: str,
    ) -> Deployment:
        DEPLOYMENT.check(name, "deployment.name")
        bounded_text(reason, "reason", MAX_REASON_CHARS)
        current = await self.get(name, "deployment.name")
        check_etag(etag, current.etag, resource=name, field="deployment.etag", required=False)
        splits = current.traffic
        if "traffic" in paths:
            splits = checked_traffic(current.model, traffic, "")
        elif "model_version" in paths:
            splits = checked_traffic(current.model, (), model_version)
        count = checked_replicas(replicas) if "replicas" in paths else current.replicas
        async with self._work() as work:
            await self._servable(work, current.model, splits)
        return await self._revise(current, splits, count, actor, reason, ChangeKind.UPDATED)

    async def rollback(
        self, name: str, revision: int, reason: str, actor: str
    ) -> tuple[Deployment, Revision]:
        """A new revision with the traffic of `revision` (0: the one before the current)."""
        DEPLOYMENT.check(name, "name")
        bounded_text(reason, "reason", MAX_REASON_CHARS)
        current = await self.get(name)
        if revision < 0:
            raise invalid("revision", "must be 0 (the one before the current) or a revision number")
        if revision == 0 and current.revision == 1:
            raise DomainError(f"{name} has no revision before its current one (1)")
        wanted = revision or current.revision - 1
        if wanted == current.revision:
            raise invalid("revision", f"is the current revision of {name}; name another one")
        if wanted > current.revision:
            raise NotFoundError(f"{name}/revisions/{wanted} does not exist")
        async with self._work() as work:
            earlier = await work.deployments.get_revision(name, wanted)
            if earlier is None:
                raise NotFoundError(f"{name}/revisions/{wanted} does not exist")
            await self._servable(work, current.model, earlier.traffic)
        deployment = await self._revise(
            current,
            earlier.traffic,
            earlier.replicas,
            actor,
            reason or f"rolled back to revision {wanted}",
            ChangeKind.ROLLED_BACK,
            restored=wanted,
        )
        async with self._work() as work:
            made = await work.deployments.get_revision(name, deployment.revision)
        assert made is not None
        return deployment, made

    async def delete(self, name: str, actor: str) -> None:
        DEPLOYMENT.check(name, "name")
        async with self._work() as work:
            deployment = await work.deployments.get(name)
            if deployment is None or not await work.deployments.delete(name):
                raise NotFoundError(f"{name} does not exist")
            await events.record(
                self._outbox,
                work.session,
                deployment.model,
                events.deployment_changed(deployment, ChangeKind.DELETED, actor, ""),
            )
            await work.commit()

    async def list_revisions(self, parent: str, page_size: int, page_token: str) -> Page[Revision]:
        DEPLOYMENT.check(parent, "parent")
        request = self._pages.request(page_size, page_token, listing=(parent,))
        before = _after_int(request.after)
        async with self._work() as work:
            if await work.deployments.get(parent) is None:
                raise NotFoundError(f"{parent} does not exist")
            fetched = await work.deployments.list_revisions(
                parent, before, limit=request.fetch_limit
            )
        return request.page(fetched, lambda revision: [revision.revision])

    async def _revise(
        self,
        current: Deployment,
        traffic: tuple[TrafficSplit, ...],
        replicas: int,
        actor: str,
        reason: str,
        kind: ChangeKind,
        restored: int = 0,
    ) -> Deployment:
        changed = replace(
            current,
            traffic=traffic,
            replicas=replicas,
            revision=current.revision + 1,
            state=DeploymentState.SERVING,
            status_message="",
            etag=new_etag(),
            update_time=self._clock(),
        )
        async with self._work() as work:
            if not await work.deployments.replace(changed, expected_revision=current.revision):
                raise ConflictError(f"{current.name} changed while it was being updated")
            await self._revised(work, changed, actor, reason, kind, restored)
            await work.commit()
        return changed

    async def _revised(
        self,
        work: MlWork,
        deployment: Deployment,
        actor: str,
        reason: str,
        kind: ChangeKind,
        restored: int = 0,
    ) -> None:
        await work.deployments.add_revision(
            Revision(
                deployment=deployment.name,
                revision=deployment.revision,
                traffic=deployment.traffic,
                replicas=deployment.replicas,
                actor=actor,
                reason=reason,
                create_time=deployment.update_time,
                restored_revision=restored,
            )
        )
        await events.record(
            self._outbox,
            work.session,
            deployment.model,
            events.deployment_changed(deployment, kind, actor, reason, restored),
        )

    async def _servable(self, work: MlWork, model: str, traffic: Sequence[TrafficSplit]) -> None:
        """Loads every version the traffic reaches now; refuses what cannot be served."""
        for split in traffic:
            version = await resolved(work, model, split)
            try:
                await self._loaded.load(version)
            except (ArtifactCorrupt, ArtifactMissing) as error:
                raise DomainError(f"{version.name} cannot be deployed: {error}") from error


async def resolved(work: MlWork, model: str, split: TrafficSplit) -> ModelVersion:
    """The version a split of one of `model`'s deployments reaches now (an alias's holder)."""
    name = split.model_version
    if split.alias:
        held = await work.history.get_alias(model, split.alias)
        if held is None:
            raise NotFoundError(f"{model}/aliases/{split.alias} does not exist")
        name = held.model_version
    version = await work.registry.get_version(name)
    if version is None:
        raise NotFoundError(f"{name} does not exist")
    return version


def checked_traffic(
    model: str, traffic: Sequence[TrafficSplit], model_version: str
) -> tuple[TrafficSplit, ...]:
    """The deployment's traffic: the splits given, or all of it to `model_version`."""
    if not traffic:
        if not model_version:
            raise invalid("deployment.traffic", "is required (or deployment.model_version alone)")
        MODEL_VERSION.check(model_version, "deployment.model_version")
        if model_of(model_version) != model:
            raise invalid("deployment.model_version", f"must be a version of {model}")
        return (TrafficSplit(model_version, "", 100),)
    if len(traffic) > MAX_SPLITS:
        raise invalid("deployment.traffic", f"may hold at most {MAX_SPLITS} splits")
    seen: set[str] = set()
    for index, split in enumerate(traffic):
        field = f"deployment.traffic[{index}]"
        if bool(split.model_version) == bool(split.alias):
            raise invalid(field, "must name a model_version or an alias, not both")
        if split.model_version:
            MODEL_VERSION.check(split.model_version, f"{field}.model_version")
            if model_of(split.model_version) != model:
                raise invalid(f"{field}.model_version", f"must be a version of {model}")
        else:
            MODEL_ALIAS.parse(f"{model}/aliases/{split.alias}", f"{field}.alias")
        if not 1 <= split.percent <= 100:
            raise invalid(f"{field}.percent", f"must be 1 to 100 (got {split.percent})")
        if split.target in seen:
            raise invalid(field, f"names {split.target} twice")
        seen.add(split.target)
    total = sum(split.percent for split in traffic)
    if total != 100:
        raise invalid("deployment.traffic", f"percents must sum to 100 (they sum to {total})")
    return tuple(traffic)


def checked_replicas(replicas: int) -> int:
    if replicas == 0:
        return 1
    if not 1 <= replicas <= MAX_REPLICAS:
        raise invalid("deployment.replicas", f"must be 1 to {MAX_REPLICAS}")
    return replicas
