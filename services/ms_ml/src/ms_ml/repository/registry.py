"""Models, versions, their metrics and tags, and stored artifacts, through SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.gates import Comparison
from ..domain.models import Model, ModelVersion, Stage
from .conditional import changed_rows, inserted_unless_present
from .rows import gates_json, model_of, utc, version_of
from .tables import (
    artifacts,
    deployments,
    model_aliases,
    model_version_metrics,
    model_version_tags,
    model_versions,
    models,
)

_COMPARE = {
    Comparison.GREATER_THAN: lambda column, value: column > value,
    Comparison.GREATER_THAN_OR_EQUAL: lambda column, value: column >= value,
    Comparison.LESS_THAN: lambda column, value: column < value,
    Comparison.LESS_THAN_OR_EQUAL: lambda column, value: column <= value,
}


class SqlRegistry:
    """The registry's rows within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # Models.

    async def add_model(self, model: Model) -> bool:
        """False when a model of that name exists."""
        return await inserted_unless_present(
            self._session,
            models,
            {**_model_row(model), "versions_created": 0, "transitions_recorded": 0},
        )

    async def get_model(self, name: str) -> Model | None:
        row = (await self._session.execute(select(models).where(models.c.name == name))).first()
        return model_of(row) if row is not None else None

    async def list_models(self, after: str | None, *, limit: int) -> list[Model]:
        query = select(models).order_by(models.c.name).limit(limit)
        if after is not None:
            query = query.where(models.c.name > after)
        return [model_of(row) for row in await self._session.execute(query)]

    async def replace_model(self, model: Model, *, expected_etag: str) -> bool:
        statement = (
            update(models)
            .where(models.c.name == model.name, models.c.etag == expected_etag)
            .values(**_model_row(model))
        )
        return await changed_rows(self._session, statement) == 1

    async def delete_model(self, name: str) -> bool:
        return await changed_rows(self._session, delete(models).where(models.c.name == name)) == 1

    async def is_deployed(self, model: str) -> bool:
        query = select(exists().where(deployments.c.model == model))
        return bool((await self._session.execute(query)).scalar())

    async def next_number(self, model: str, counter: str) -> int | None:
        """Advances one of the model's counters (`versions_created`, `transitions_recorded`)
        and returns it; None when the model does not exist."""
        column = models.c[counter]
        statement = (
            update(models)
            .where(models.c.name == model)
            .values({column: column + 1})
            .returning(column)
        )
        return (await self._session.execute(statement)).scalar()

    async def hold_versions(self, model: str) -> bool:
        """Takes the model's row for this transaction (a write that changes nothing: the row
        lock on PostgreSQL, the database's write lock on SQLite), so concurrent registrations
        of its versions run one after the other; False when the model does not exist. The first
        statement of its transaction: on SQLite a transaction that read first could not wait."""
        column = models.c.versions_created
        statement = update(models).where(models.c.name == model).values({column: column})
        return await changed_rows(self._session, statement) == 1

    async def version_holding(self, model: str, sha256: str) -> str | None:
        """The first version of `model` on the artifact `sha256`."""
        query = (
            select(model_versions.c.name)
            .where(model_versions.c.model == model, model_versions.c.sha256 == sha256)
            .order_by(model_versions.c.number)
            .limit(1)
        )
        return (await self._session.execute(query)).scalar()

    # Versions.

    async def add_version(self, version: ModelVersion) -> None:
        await self._session.execute(insert(model_versions).values(**_version_row(version)))
        await self._index(version.name, version.metrics, version.tags)

    async def get_version(self, name: str) -> ModelVersion | None:
        query = select(model_versions).where(model_versions.c.name == name)
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        return version_of(row, await self.aliases_of(name))

    async def aliases_of(self, version: str) -> tuple[str, ...]:
        query = (
            select(model_aliases.c.alias)
            .where(model_aliases.c.model_version == version)
            .order_by(model_aliases.c.alias)
        )
        return tuple((await self._session.execute(query)).scalars())

    async def list_versions(
        self, model: str, stage: Stage | None, before: int | None, *, limit: int
    ) -> list[ModelVersion]:
        """Newest first, numbered below `before` when given."""
        query = (
            select(model_versions)
            .where(model_versions.c.model == model)
            .order_by(model_versions.c.number.desc())
            .limit(limit)
        )
        if stage is not None:
            query = query.where(model_versions.c.stage == int(stage))
        if before is not None:
            query = query.where(model_versions.c.number < before)
        return await self._with_aliases(list(await self._session.execute(query)))

    async def search_versions(
        self,
        model: str | None,
        conditions: Sequence[tuple[str, Comparison, float]],
        tags: Mapping[str, str],
        order_by_metric: str,
        *,
        ascending: bool,
        offset: int,
        limit: int,
    ) -> list[ModelVersion]:
        query = select(model_versions)
        if model is not None:
            query = query.where(model_versions.c.model == model)
        for metric, comparison, value in conditions:
            held = select(model_version_metrics.c.model_version).where(
                model_version_metrics.c.model_version == model_versions.c.name,
                model_version_metrics.c.metric == metric,
                _COMPARE[comparison](model_version_metrics.c.value, value),
            )
            query = query.where(held.exists())
        for key, tag in tags.items():
            tagged = select(model_version_tags.c.model_version).where(
                model_version_tags.c.model_version == model_versions.c.name,
                model_version_tags.c.key == key,
                model_version_tags.c.value == tag,
            )
            query = query.where(tagged.exists())
        order: list[Any] = []
        if order_by_metric:
            ordering = model_version_metrics.alias("ordering")
            query = query.outerjoin(
                ordering,
                and_(
                    ordering.c.model_version == model_versions.c.name,
                    ordering.c.metric == order_by_metric,
                ),
            )
            order += [
                ordering.c.value.is_(None),
                ordering.c.value.asc() if ascending else ordering.c.value.desc(),
            ]
        order += [model_versions.c.create_time.desc(), model_versions.c.name]
        query = query.order_by(*order).offset(offset).limit(limit)
        return await self._with_aliases(list(await self._session.execute(query)))

    async def replace_version(self, version: ModelVersion, *, expected_etag: str) -> bool:
        statement = (
            update(model_versions)
            .where(model_versions.c.name == version.name, model_versions.c.etag == expected_etag)
            .values(**_version_row(version))
        )
        if await changed_rows(self._session, statement) != 1:
            return False
        await self._session.execute(
            delete(model_version_metrics).where(
                model_version_metrics.c.model_version == version.name
            )
        )
        await self._session.execute(
            delete(model_version_tags).where(model_version_tags.c.model_version == version.name)
        )
        await self._index(version.name, version.metrics, version.tags)
        return True

    async def delete_version(self, name: str) -> bool:
        statement = delete(model_versions).where(model_versions.c.name == name)
        return await changed_rows(self._session, statement) == 1

    async def set_stage(
        self, name: str, *, expected: Stage, stage: Stage, etag: str, now: datetime
    ) -> bool:
        """Moves the version from `expected` to `stage`; False when it was not in `expected`."""
        statement = (
            update(model_versions)
            .where(model_versions.c.name == name, model_versions.c.stage == int(expected))
            .values(stage=int(stage), etag=etag, stage_update_time=now, update_time=now)
        )
        return await changed_rows(self._session, statement) == 1

    async def in_production(self, model: str) -> ModelVersion | None:
        query = select(model_versions).where(
            model_versions.c.model == model, model_versions.c.stage == int(Stage.PRODUCTION)
        )
        row = (await self._session.execute(query)).first()
        return version_of(row) if row is not None else None

    async def count_versions(self, model: str) -> int:
        query = select(func.count()).where(model_versions.c.model == model)
        return int((await self._session.execute(query)).scalar_one())

    # Artifacts.

    async def add_artifact(self, sha256: str, size_bytes: int, now: datetime) -> None:
        await inserted_unless_present(
            self._session,
            artifacts,
            {"sha256": sha256, "size_bytes": size_bytes, "create_time": now},
        )

    async def get_artifact(self, sha256: str) -> tuple[int, datetime] | None:
        query = select(artifacts).where(artifacts.c.sha256 == sha256)
        row = (await self._session.execute(query)).first()
        return (int(row.size_bytes), utc(row.create_time)) if row is not None else None

    async def _index(
        self, name: str, metrics: Mapping[str, float], tags: Mapping[str, str]
    ) -> None:
        if metrics:
            await self._session.execute(
                insert(model_version_metrics),
                [{"model_version": name, "metric": k, "value": v} for k, v in metrics.items()],
            )
        if tags:
            await self._session.execute(
                insert(model_version_tags),
                [{"model_version": name, "key": k, "value": v} for k, v in tags.items()],
            )

    async def _with_aliases(self, rows: list[Any]) -> list[ModelVersion]:
        names = [row.name for row in rows]
        held: dict[str, list[str]] = {}
        if names:
            query = (
                select(model_aliases.c.model_version, model_aliases.c.alias)
                .where(model_aliases.c.model_version.in_(names))
                .order_by(model_aliases.c.alias)
            )
            for version, alias in await self._session.execute(query):
                held.setdefault(version, []).append(alias)
        return [version_of(row, tuple(held.get(row.name, ()))) for row in rows]


def _model_row(model: Model) -> dict[str, Any]:
    return {
        "name": model.name,
        "display_name": model.display_name,
        "description": model.description,
        "task": model.task,
        "owner": model.owner,
        "tags": dict(model.tags),
        "gates": gates_json(model.gates),
        "etag": model.etag,
        "create_time": model.create_time,
        "update_time": model.update_time,
    }


def _version_row(version: ModelVersion) -> dict[str, Any]:
    return {
        "name": version.name,
        "model": version.model,
        "number": version.number,
        "sha256": version.sha256,
        "size_bytes": version.size_bytes,
        "format": version.format,
        "stage": int(version.stage),
        "metrics": dict(version.metrics),
        "params": dict(version.params),
        "tags": dict(version.tags),
        "training_job": version.training_job,
        "source_commit": version.source_commit,
        "description": version.description,
        "creator": version.creator,
        "etag": version.etag,
        "create_time": version.create_time,
        "update_time": version.update_time,
        "stage_update_time": version.stage_update_time,
    }
