"""What a request needs to be routed, read on one pooled connection without an ORM session:
the deployment's current traffic and, for an alias, its holder (one or two indexed reads)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..domain.deployments import TrafficSplit
from .rows import traffic_of
from .tables import deployments, model_aliases

_DEPLOYMENT = select(deployments.c.model, deployments.c.revision, deployments.c.traffic)
_HOLDER = select(model_aliases.c.model_version)


@dataclass(frozen=True, slots=True)
class ServingState:
    model: str
    revision: int
    traffic: tuple[TrafficSplit, ...]


class ServingReads:
    """Reads for routing requests, each on a connection of the engine's pool."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def connect(self) -> AsyncConnection:
        return self._engine.connect()

    @staticmethod
    async def state(connection: AsyncConnection, name: str) -> ServingState | None:
        row = (await connection.execute(_DEPLOYMENT.where(deployments.c.name == name))).first()
        if row is None:
            return None
        return ServingState(row.model, row.revision, traffic_of(row.traffic))

    @staticmethod
    async def holder(connection: AsyncConnection, model: str, alias: str) -> str | None:
        query = _HOLDER.where(model_aliases.c.model == model, model_aliases.c.alias == alias)
        return (await connection.execute(query)).scalar()
