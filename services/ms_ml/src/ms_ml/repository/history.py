"""Aliases (one row each, so one holder each) and the transition history, through SQLAlchemy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.transitions import Alias, Transition
from .conditional import changed_rows, inserted_unless_present
from .rows import alias_of, transition_of
from .tables import model_aliases, model_transitions, model_versions


class SqlHistory:
    """Aliases and transitions within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_alias(self, model: str, alias: str) -> Alias | None:
        query = select(model_aliases).where(
            model_aliases.c.model == model, model_aliases.c.alias == alias
        )
        row = (await self._session.execute(query)).first()
        return alias_of(row) if row is not None else None

    async def list_aliases(self, model: str, after: str | None, *, limit: int) -> list[Alias]:
        query = (
            select(model_aliases)
            .where(model_aliases.c.model == model)
            .order_by(model_aliases.c.alias)
            .limit(limit)
        )
        if after is not None:
            query = query.where(model_aliases.c.alias > after)
        return [alias_of(row) for row in await self._session.execute(query)]

    async def aliases_held_by(self, version: str) -> list[Alias]:
        query = select(model_aliases).where(model_aliases.c.model_version == version)
        return [alias_of(row) for row in await self._session.execute(query)]

    async def claim_alias(
        self, model: str, alias: str, *, holder: str, version: str, actor: str, now: datetime
    ) -> bool:
        """Gives the alias to `version` if its holder is still `holder` ("" for none yet) and the
        version still exists; False when someone moved the alias or deleted the version."""
        exists = select(model_versions.c.name).where(model_versions.c.name == version).exists()
        if not holder:
            row = select(
                literal(model),
                literal(alias),
                literal(version),
                literal(now, DateTime(timezone=True)),
                literal(actor),
            ).where(exists)
            return await inserted_unless_present(
                self._session,
                model_aliases,
                row,
                ["model", "alias", "model_version", "update_time", "updated_by"],
            )
        statement = (
            update(model_aliases)
            .where(
                model_aliases.c.model == model,
                model_aliases.c.alias == alias,
                model_aliases.c.model_version == holder,
                exists,
            )
            .values(model_version=version, update_time=now, updated_by=actor)
        )
        return await changed_rows(self._session, statement) == 1

    async def release_alias(self, model: str, alias: str, *, holder: str) -> bool:
        """Deletes the alias if `holder` still holds it."""
        statement = delete(model_aliases).where(
            model_aliases.c.model == model,
            model_aliases.c.alias == alias,
            model_aliases.c.model_version == holder,
        )
        return await changed_rows(self._session, statement) == 1

    async def add_transition(self, transition: Transition) -> None:
        await self._session.execute(
            insert(model_transitions).values(
                model=transition.model,
                number=transition.number,
                kind=int(transition.kind),
                model_version=transition.model_version,
                alias=transition.alias,
                previous_model_version=transition.previous_model_version,
                from_stage=int(transition.from_stage) if transition.from_stage else None,
                to_stage=int(transition.to_stage) if transition.to_stage else None,
                actor=transition.actor,
                reason=transition.reason,
                create_time=transition.create_time,
            )
        )

    async def list_transitions(
        self, model: str, version: str, alias: str, after: int, *, limit: int
    ) -> list[Transition]:
        """Oldest first, numbered above `after`; of one version or alias when given."""
        query = (
            select(model_transitions)
            .where(model_transitions.c.model == model, model_transitions.c.number > after)
            .order_by(model_transitions.c.number)
            .limit(limit)
        )
        if version:
            query = query.where(
                (model_transitions.c.model_version == version)
                | (model_transitions.c.previous_model_version == version)
            )
        if alias:
            query = query.where(model_transitions.c.alias == alias)
        return [transition_of(row) for row in await self._session.execute(query)]
