"""Aliases and stages: who holds which alias, which version is in which stage, the gates a
version must meet to be promoted, and the history of every move.

An alias is one row whose holder is one column, moved by a conditional UPDATE that names the
holder it replaces: concurrent promotions to one alias each take effect in turn, every one
recorded with the holder it really replaced, and the alias never has two holders. A stage moves
the same way, and a partial unique index keeps one version of a model in PRODUCTION.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from knowledge_kit.api import Clock, Page, PageTokens, new_etag, utc_now
from knowledge_kit.errors import DomainError, NotFoundError
from knowledge_kit.events import Outbox

from ..domain.checks import MAX_REASON_CHARS, bounded_text
from ..domain.gates import gate_failures
from ..domain.models import GATED_STAGES, ModelVersion, Stage
from ..domain.names import MODEL, MODEL_ALIAS, MODEL_VERSION, invalid, model_of
from ..domain.transitions import Alias, Transition, TransitionKind
from ..repository.work import MlWork
from . import events
from .registry import _after_int, _after_text
from .work import Lost, Transactions


class Promotions:
    """Setting and deleting aliases, moving stages, and reading the history."""

    def __init__(
        self, work: Transactions, outbox: Outbox, pages: PageTokens, clock: Clock = utc_now
    ) -> None:
        self._work = work
        self._outbox = outbox
        self._pages = pages
        self._clock = clock

    async def set_alias(
        self, name: str, version_name: str, reason: str, actor: str
    ) -> tuple[Alias, Transition | None]:
        """Points the alias at the version (gates checked); the transition recorded, None when
        the version already held it."""
        parts = MODEL_ALIAS.parse(name, "name")
        model, alias = f"models/{parts['model']}", parts["alias"]
        MODEL_VERSION.check(version_name, "model_version")
        if model_of(version_name) != model:
            raise invalid("model_version", f"must be a version of {model}")
        bounded_text(reason, "reason", MAX_REASON_CHARS)

        async def attempt() -> tuple[Alias, Transition | None]:
            async with self._work() as work:
                version = await self._promotable(work, version_name, f"take alias {alias}")
                while True:
                    held = await work.history.get_alias(model, alias)
                    holder = held.model_version if held is not None else ""
                    if holder == version.name and held is not None:
                        return held, None
                    now = self._clock()
                    if await work.history.claim_alias(
                        model, alias, holder=holder, version=version.name, actor=actor, now=now
                    ):
                        break
                    if await work.registry.get_version(version.name) is None:
                        raise NotFoundError(f"{version.name} was deleted meanwhile")
                transition = await self._record(
                    work,
                    model,
                    TransitionKind.ALIAS_SET,
                    version=version.name,
                    alias=alias,
                    previous=holder,
                    actor=actor,
                    reason=reason,
                    now=now,
                )
                await events.record(
                    self._outbox, work.session, model, events.alias_moved(transition)
                )
                await work.commit()
                return Alias(model, alias, version.name, now, actor), transition

        return await self._work.retrying(attempt, what=name)

    async def get_alias(self, name: str) -> Alias:
        parts = MODEL_ALIAS.parse(name, "name")
        async with self._work() as work:
            alias = await work.history.get_alias(f"models/{parts['model']}", parts["alias"])
        if alias is None:
            raise NotFoundError(f"{name} does not exist")
        return alias

    async def list_aliases(self, parent: str, page_size: int, page_token: str) -> Page[Alias]:
        MODEL.check(parent, "parent")
        request = self._pages.request(page_size, page_token, listing=(parent,))
        after = _after_text(request.after)
        async with self._work() as work:
            if await work.registry.get_model(parent) is None:
                raise NotFoundError(f"{parent} does not exist")
            fetched = await work.history.list_aliases(parent, after, limit=request.fetch_limit)
        return request.page(fetched, lambda alias: [alias.alias])

    async def delete_alias(self, name: str, reason: str, actor: str) -> None:
        parts = MODEL_ALIAS.parse(name, "name")
        model, alias = f"models/{parts['model']}", parts["alias"]
        bounded_text(reason, "reason", MAX_REASON_CHARS)

        async def attempt() -> None:
            async with self._work() as work:
                held = await work.history.get_alias(model, alias)
                if held is None:
                    raise NotFoundError(f"{name} does not exist")
                for deployment in await work.deployments.using(model):
                    if any(split.alias == alias for split in deployment.traffic):
                        raise DomainError(
                            f"{name} is served by {deployment.name}; change that deployment first"
                        )
                await self.release(work, held, actor, reason)
                await work.commit()

        await self._work.retrying(attempt, what=name)

    async def release(self, work: MlWork, held: Alias, actor: str, reason: str) -> None:
        """Deletes the alias from its holder inside `work`, with its transition and event."""
        if not await work.history.release_alias(held.model, held.alias, holder=held.model_version):
            raise Lost
        transition = await self._record(
            work,
            held.model,
            TransitionKind.ALIAS_DELETED,
            version="",
            alias=held.alias,
            previous=held.model_version,
            actor=actor,
            reason=reason,
            now=self._clock(),
        )
        await events.record(self._outbox, work.session, held.model, events.alias_moved(transition))

    async def release_all(self, work: MlWork, version: ModelVersion, actor: str) -> None:
        """Deletes every alias the version holds (it is being deleted)."""
        for held in await work.history.aliases_held_by(version.name):
            await self.release(work, held, actor, f"{version.name} was deleted")

    async def promote(
        self, name: str, stage: int, reason: str, actor: str
    ) -> tuple[ModelVersion, str, Transition | None]:
        """Moves the version to `stage` (gates checked for STAGING and PRODUCTION); promoting to
        PRODUCTION archives the version there. The version, the one archived, the transition."""
        MODEL_VERSION.check(name, "name")
        if stage not in {item.value for item in Stage}:
            raise invalid("stage", "must be NONE, STAGING, PRODUCTION or ARCHIVED")
        target = Stage(stage)
        bounded_text(reason, "reason", MAX_REASON_CHARS)
        model = model_of(name)

        async def attempt() -> tuple[ModelVersion, str, Transition | None]:
            async with self._work() as work:
                if target in GATED_STAGES:
                    version = await self._promotable(work, name, f"move to {target.name}")
                else:
                    found = await work.registry.get_version(name)
                    if found is None:
                        raise NotFoundError(f"{name} does not exist")
                    version = found
                if version.stage is target:
                    return version, "", None
                now = self._clock()
                archived = ""
                if target is Stage.PRODUCTION:
                    current = await work.registry.in_production(model)
                    if current is not None:
                        await self._move(work, current, Stage.ARCHIVED, now)
                        await self._record(
                            work,
                            model,
                            TransitionKind.STAGE,
                            version=current.name,
                            stages=(Stage.PRODUCTION, Stage.ARCHIVED),
                            actor=actor,
                            reason=f"archived by promoting {name} to PRODUCTION",
                            now=now,
                        )
                        archived = current.name
                moved = await self._move(work, version, target, now)
                transition = await self._record(
                    work,
                    model,
                    TransitionKind.STAGE,
                    version=name,
                    stages=(version.stage, target),
                    actor=actor,
                    reason=reason,
                    now=now,
                )
                await events.record(
                    self._outbox, work.session, model, events.promoted(transition, archived)
                )
                await work.commit()
                return moved, archived, transition

        return await self._work.retrying(attempt, what=name)

    async def list_transitions(
        self, parent: str, version: str, alias: str, page_size: int, page_token: str
    ) -> Page[Transition]:
        MODEL.check(parent, "parent")
        if version:
            MODEL_VERSION.check(version, "model_version")
            if model_of(version) != parent:
                raise invalid("model_version", f"must be a version of {parent}")
        if alias:
            MODEL_ALIAS.parse(f"{parent}/aliases/{alias}", "alias")
        request = self._pages.request(page_size, page_token, listing=(parent, version, alias))
        after = _after_int(request.after) or 0
        async with self._work() as work:
            if await work.registry.get_model(parent) is None:
                raise NotFoundError(f"{parent} does not exist")
            fetched = await work.history.list_transitions(
                parent, version, alias, after, limit=request.fetch_limit
            )
        return request.page(fetched, lambda transition: [transition.number])

    async def _promotable(self, work: MlWork, name: str, what: str) -> ModelVersion:
        version = await work.registry.get_version(name)
        if version is None:
            raise NotFoundError(f"{name} does not exist")
        model = await work.registry.get_model(version.model)
        if model is None:
            raise NotFoundError(f"{version.model} does not exist")
        failures = gate_failures(model.gates, version.metrics)
        if failures:
            raise DomainError(f"{name} may not {what}: {'; '.join(failures)}")
        return version

    async def _move(
        self, work: MlWork, version: ModelVersion, stage: Stage, now: datetime
    ) -> ModelVersion:
        etag = new_etag()
        if not await work.registry.set_stage(
            version.name, expected=version.stage, stage=stage, etag=etag, now=now
        ):
            raise Lost
        return replace(version, stage=stage, etag=etag, stage_update_time=now, update_time=now)

    async def _record(
        self,
        work: MlWork,
        model: str,
        kind: TransitionKind,
        *,
        version: str,
        actor: str,
        reason: str,
        now: datetime,
        alias: str = "",
        previous: str = "",
        stages: tuple[Stage, Stage] | None = None,
    ) -> Transition:
        number = await work.registry.next_number(model, "transitions_recorded")
        if number is None:
            raise NotFoundError(f"{model} does not exist")
        transition = Transition(
            model=model,
            number=number,
            kind=kind,
            model_version=version,
            alias=alias,
            previous_model_version=previous,
            from_stage=stages[0] if stages else None,
            to_stage=stages[1] if stages else None,
            actor=actor,
            reason=reason,
            create_time=now,
        )
        await work.history.add_transition(transition)
        return transition
