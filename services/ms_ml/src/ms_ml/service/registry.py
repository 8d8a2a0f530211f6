"""The registry's models and versions: create, read, list, search, update and delete them."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from knowledge.ml.v1 import events_pb2
from knowledge_kit.api import (
    Clock,
    Page,
    PageTokens,
    check_etag,
    checked_resource_id,
    new_etag,
    utc_now,
)
from knowledge_kit.api.pages import invalid_page_token
from knowledge_kit.errors import AlreadyExistsError, ConflictError, DomainError, NotFoundError
from knowledge_kit.events import Outbox

from ..domain.artifacts import ArtifactStore
from ..domain.checks import (
    MAX_DESCRIPTION_CHARS,
    MAX_PARAMS,
    bounded_text,
    checked_gates,
    checked_metrics,
    checked_tags,
)
from ..domain.gates import MetricGate
from ..domain.models import Model, ModelVersion, Stage, VersionDraft
from ..domain.names import (
    ARTIFACT,
    MODEL,
    MODEL_ALIAS,
    MODEL_VERSION,
    MODELS_ANY,
    invalid,
    model_of,
    version_name,
)
from ..repository.work import MlWork
from . import events
from .work import Transactions

UPDATABLE_MODEL_FIELDS = ("display_name", "description", "task", "tags", "gates")
UPDATABLE_VERSION_FIELDS = ("description", "tags", "metrics")
TRAINING_JOB = r"models/[a-z0-9][a-z0-9-]{0,62}/trainingJobs/[a-z0-9][a-z0-9-]{0,62}"
MAX_CONDITIONS = 20


@dataclass(frozen=True, slots=True)
class ModelFields:
    display_name: str = ""
    description: str = ""
    task: str = ""
    tags: Mapping[str, str] | None = None
    gates: tuple[MetricGate, ...] = ()


class Registry:
    """What callers do with models and versions, each in its own transaction."""

    def __init__(
        self,
        work: Transactions,
        outbox: Outbox,
        pages: PageTokens,
        store: ArtifactStore,
        formats: Collection[str],
        clock: Clock = utc_now,
    ) -> None:
        self._work = work
        self._outbox = outbox
        self._pages = pages
        self._store = store
        self._formats = formats
        self._clock = clock

    # Models.

    async def create_model(self, model_id: str, fields: ModelFields, actor: str) -> Model:
        name = f"models/{checked_resource_id(model_id, 'model_id')}"
        now = self._clock()
        model = Model(
            name=name,
            display_name=bounded_text(fields.display_name, "model.display_name", 200),
            description=bounded_text(
                fields.description, "model.description", MAX_DESCRIPTION_CHARS
            ),
            task=bounded_text(fields.task, "model.task", 64),
            owner=actor,
            tags=checked_tags(fields.tags or {}, "model.tags"),
            gates=fields.gates,
            etag=new_etag(),
            create_time=now,
            update_time=now,
        )
        async with self._work() as work:
            if not await work.registry.add_model(model):
                raise AlreadyExistsError(f"{name} already exists")
            await events.record(
                self._outbox,
                work.session,
                name,
                events_pb2.ModelRegistered(
                    model=name,
                    display_name=model.display_name,
                    task=model.task,
                    owner=events.actor(actor),
                ),
            )
            await work.commit()
        return model

    async def get_model(self, name: str, field: str = "name") -> Model:
        MODEL.check(name, field)
        async with self._work() as work:
            model = await work.registry.get_model(name)
        if model is None:
            raise NotFoundError(f"{name} does not exist")
        return model

    async def list_models(self, page_size: int, page_token: str) -> Page[Model]:
        request = self._pages.request(page_size, page_token, listing=("models",))
        after = _after_text(request.after)
        async with self._work() as work:
            fetched = await work.registry.list_models(after, limit=request.fetch_limit)
        return request.page(fetched, lambda model: [model.name])

    async def update_model(
        self, name: str, paths: frozenset[str], fields: ModelFields, *, etag: str
    ) -> Model:
        MODEL.check(name, "model.name")
        async with self._work() as work:
            model = await work.registry.get_model(name)
            if model is None:
                raise NotFoundError(f"{name} does not exist")
            check_etag(etag, model.etag, resource=name, field="model.etag", required=False)
            changed = replace(
                model,
                display_name=bounded_text(fields.display_name, "model.display_name", 200)
                if "display_name" in paths
                else model.display_name,
                description=bounded_text(
                    fields.description, "model.description", MAX_DESCRIPTION_CHARS
                )
                if "description" in paths
                else model.description,
                task=bounded_text(fields.task, "model.task", 64) if "task" in paths else model.task,
                tags=checked_tags(fields.tags or {}, "model.tags")
                if "tags" in paths
                else model.tags,
                gates=fields.gates if "gates" in paths else model.gates,
                etag=new_etag(),
                update_time=self._clock(),
            )
            if not await work.registry.replace_model(changed, expected_etag=model.etag):
                raise ConflictError(f"{name} changed while it was being updated")
            await work.commit()
        return changed

    async def delete_model(self, name: str, actor: str) -> None:
        MODEL.check(name, "name")
        async with self._work() as work:
            if await work.registry.get_model(name) is None:
                raise NotFoundError(f"{name} does not exist")
            if await work.registry.is_deployed(name):
                raise DomainError(f"{name} is deployed: delete its deployments first")
            await work.registry.delete_model(name)
            await events.record(
                self._outbox,
                work.session,
                name,
                events_pb2.ModelDeleted(model=name, deleted_by=events.actor(actor)),
            )
            await work.commit()

    # Versions.

    async def create_version(self, parent: str, draft: VersionDraft, actor: str) -> ModelVersion:
        """The next version of `parent` on an artifact already stored."""
        await self._check_stored(parent, draft)
        async with self._work() as work:
            version = await self.register(work, parent, draft, actor)
            await work.commit()
        return version

    async def create_version_once(
        self, parent: str, draft: VersionDraft, actor: str
    ) -> ModelVersion:
        """The version of `parent` on the draft's artifact, registered now unless one already
        is. Registrations of `parent`'s versions wait for each other here, so instances doing
        this at once (each registering the shipped embedder at start) register it once."""
        await self._check_stored(parent, draft)
        async with self._work() as work:
            if not await work.registry.hold_versions(parent):
                raise NotFoundError(f"{parent} does not exist")
            held = await work.registry.version_holding(parent, draft.sha256)
            found = await work.registry.get_version(held) if held is not None else None
            if found is not None:
                return found  # nothing changed: the transaction is rolled back
            version = await self.register(work, parent, draft, actor)
            await work.commit()
        return version

    async def _check_stored(self, parent: str, draft: VersionDraft) -> None:
        MODEL.check(parent, "parent")
        self._check_draft(draft)
        stored = await self._store.size_of(draft.sha256)
        async with self._work() as work:
            known = await work.registry.get_artifact(draft.sha256)
        if stored is None or known is None:
            raise DomainError(
                f"artifacts/{draft.sha256} is not stored: upload it with "
                "ArtifactService.UploadArtifact first"
            )
        if draft.size_bytes != stored:
            raise invalid(
                "model_version.size_bytes",
                f"is {draft.size_bytes} but artifacts/{draft.sha256} holds {stored} bytes",
            )

    async def register(
        self, work: MlWork, parent: str, draft: VersionDraft, actor: str
    ) -> ModelVersion:
        """Registers the next version of `parent` inside `work`, with its event."""
        number = await work.registry.next_number(parent, "versions_created")
        if number is None:
            raise NotFoundError(f"{parent} does not exist")
        now = self._clock()
        version = ModelVersion(
            name=version_name(parent, number),
            model=parent,
            number=number,
            sha256=draft.sha256,
            size_bytes=draft.size_bytes,
            format=draft.format,
            stage=Stage.NONE,
            metrics=dict(draft.metrics),
            params=dict(draft.params),
            tags=dict(draft.tags),
            training_job=draft.training_job,
            source_commit=draft.source_commit,
            description=draft.description,
            creator=actor,
            etag=new_etag(),
            create_time=now,
            update_time=now,
            stage_update_time=now,
        )
        await work.registry.add_version(version)
        await events.record(self._outbox, work.session, parent, events.version_created(version))
        return version

    def _check_draft(self, draft: VersionDraft) -> None:
        if not ARTIFACT.matches(f"artifacts/{draft.sha256}"):
            raise invalid(
                "model_version.artifact_uri",
                "must be artifacts/{sha256} of an uploaded artifact (or set model_version.sha256)",
            )
        if draft.size_bytes <= 0:
            raise invalid("model_version.size_bytes", "must be the artifact's size in bytes")
        if draft.format not in self._formats:
            raise invalid(
                "model_version.format",
                f"must be one of {', '.join(sorted(self._formats))} (got {draft.format[:64]!r})",
            )
        checked_metrics(draft.metrics, "model_version.metrics")
        checked_tags(draft.params, "model_version.params", limit=MAX_PARAMS)
        checked_tags(draft.tags, "model_version.tags")
        if draft.training_job and not re.fullmatch(TRAINING_JOB, draft.training_job):
            raise invalid(
                "model_version.training_job", "must look like models/{model}/trainingJobs/{job}"
            )
        bounded_text(draft.source_commit, "model_version.source_commit", 100)
        bounded_text(draft.description, "model_version.description", MAX_DESCRIPTION_CHARS)

    async def get_version(self, name: str, field: str = "name") -> ModelVersion:
        """A version by its name, or the holder of an alias by the alias's name."""
        if MODEL_ALIAS.matches(name):
            parts = MODEL_ALIAS.parse(name, field)
            async with self._work() as work:
                alias = await work.history.get_alias(f"models/{parts['model']}", parts["alias"])
                if alias is None:
                    raise NotFoundError(f"{name} does not exist")
                version = await work.registry.get_version(alias.model_version)
        else:
            MODEL_VERSION.check(name, field)
            async with self._work() as work:
                version = await work.registry.get_version(name)
        if version is None:
            raise NotFoundError(f"{name} does not exist")
        return version

    async def list_versions(
        self, parent: str, stage: int, page_size: int, page_token: str
    ) -> Page[ModelVersion]:
        MODEL.check(parent, "parent")
        wanted = _stage_filter(stage, "stage")
        request = self._pages.request(page_size, page_token, listing=(parent, str(stage)))
        before = _after_int(request.after)
        async with self._work() as work:
            if await work.registry.get_model(parent) is None:
                raise NotFoundError(f"{parent} does not exist")
            fetched = await work.registry.list_versions(
                parent, wanted, before, limit=request.fetch_limit
            )
        return request.page(fetched, lambda version: [version.number])

    async def search_versions(
        self,
        parent: str,
        conditions: Sequence[tuple[str, int, float]],
        tags: Mapping[str, str],
        order_by_metric: str,
        ascending: bool,
        page_size: int,
        page_token: str,
    ) -> Page[ModelVersion]:
        model = None if parent == MODELS_ANY else MODEL.check(parent, "parent")
        if len(conditions) > MAX_CONDITIONS:
            raise invalid("metric_conditions", f"may hold at most {MAX_CONDITIONS} conditions")
        checked = []
        for index, (metric, comparison, value) in enumerate(conditions):
            gate = _condition(index, metric, comparison, value)
            checked.append((gate.metric, gate.comparison, gate.threshold))
        checked_tags(tags, "tags", limit=MAX_CONDITIONS)
        bounded_text(order_by_metric, "order_by_metric", 128)
        listing = json.dumps(
            [parent, checked, sorted(tags.items()), order_by_metric, ascending], default=str
        )
        request = self._pages.request(page_size, page_token, listing=(listing,))
        async with self._work() as work:
            if model is not None and await work.registry.get_model(model) is None:
                raise NotFoundError(f"{model} does not exist")
            fetched = await work.registry.search_versions(
                model,
                checked,
                tags,
                order_by_metric,
                ascending=ascending,
                offset=request.offset,
                limit=request.fetch_limit,
            )
        return request.page_at_offset(fetched)

    async def update_version(
        self,
        name: str,
        paths: frozenset[str],
        *,
        description: str,
        tags: Mapping[str, str],
        metrics: Mapping[str, float],
        etag: str,
    ) -> ModelVersion:
        MODEL_VERSION.check(name, "model_version.name")
        async with self._work() as work:
            version = await work.registry.get_version(name)
            if version is None:
                raise NotFoundError(f"{name} does not exist")
            check_etag(
                etag, version.etag, resource=name, field="model_version.etag", required=False
            )
            changed = replace(
                version,
                description=bounded_text(
                    description, "model_version.description", MAX_DESCRIPTION_CHARS
                )
                if "description" in paths
                else version.description,
                tags=checked_tags(tags, "model_version.tags") if "tags" in paths else version.tags,
                metrics=checked_metrics(metrics, "model_version.metrics")
                if "metrics" in paths
                else version.metrics,
                etag=new_etag(),
                update_time=self._clock(),
            )
            if not await work.registry.replace_version(changed, expected_etag=version.etag):
                raise ConflictError(f"{name} changed while it was being updated")
            await work.commit()
        return changed

    async def delete_version(
        self,
        name: str,
        actor: str,
        release_aliases: Callable[[MlWork, ModelVersion, str], Awaitable[None]],
    ) -> None:
        """Deletes the version and the aliases it holds; FAILED_PRECONDITION while deployed."""
        MODEL_VERSION.check(name, "name")
        model = model_of(name)

        async def attempt() -> None:
            async with self._work() as work:
                version = await work.registry.get_version(name)
                if version is None:
                    raise NotFoundError(f"{name} does not exist")
                for deployment in await work.deployments.using(model):
                    for split in deployment.traffic:
                        if split.model_version == name or split.alias in version.aliases:
                            raise DomainError(
                                f"{name} is served by {deployment.name} "
                                f"({split.target}); change that deployment first"
                            )
                await release_aliases(work, version, actor)
                await work.registry.delete_version(name)
                await events.record(
                    self._outbox,
                    work.session,
                    model,
                    events_pb2.ModelVersionDeleted(
                        model_version=name, model=model, deleted_by=events.actor(actor)
                    ),
                )
                await work.commit()

        await self._work.retrying(attempt, what=name)


def _condition(index: int, metric: str, comparison: int, value: float) -> MetricGate:
    (gate,) = checked_gates([(metric, comparison, value)], f"metric_conditions[{index}]")
    return gate


def _stage_filter(stage: int, field: str) -> Stage | None:
    if stage == 0:
        return None
    if stage not in {item.value for item in Stage}:
        raise invalid(field, "must be a ModelStage")
    return Stage(stage)


def _after_text(after: list[str | int] | None) -> str | None:
    match after:
        case None:
            return None
        case [str(name)]:
            return name
    raise invalid_page_token()


def _after_int(after: list[str | int] | None) -> int | None:
    match after:
        case None:
            return None
        case [int(number)]:
            return number
    raise invalid_page_token()
