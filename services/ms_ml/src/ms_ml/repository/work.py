"""A transaction with every repository of the service on its session."""

from __future__ import annotations

from knowledge_kit.database import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from .deployments import SqlDeployments
from .history import SqlHistory
from .registry import SqlRegistry


class MlWork(UnitOfWork):
    """The registry, its history and the deployments in one database transaction."""

    registry: SqlRegistry
    history: SqlHistory
    deployments: SqlDeployments

    def on_begin(self, session: AsyncSession) -> None:
        self.registry = SqlRegistry(session)
        self.history = SqlHistory(session)
        self.deployments = SqlDeployments(session)
