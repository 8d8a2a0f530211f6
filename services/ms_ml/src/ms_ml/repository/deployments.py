"""Deployments and their revisions, through SQLAlchemy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.deployments import Deployment, Revision
from .conditional import changed_rows, inserted_unless_present
from .rows import deployment_of, revision_of, traffic_json
from .tables import deployment_revisions, deployments


class SqlDeployments:
    """Deployments within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, deployment: Deployment) -> bool:
        """False when a deployment of that name exists."""
        return await inserted_unless_present(self._session, deployments, _row(deployment))

    async def get(self, name: str) -> Deployment | None:
        query = select(deployments).where(deployments.c.name == name)
        row = (await self._session.execute(query)).first()
        return deployment_of(row) if row is not None else None

    async def list_deployments(
        self, model: str | None, after: str | None, *, limit: int
    ) -> list[Deployment]:
        query = select(deployments).order_by(deployments.c.name).limit(limit)
        if model is not None:
            query = query.where(deployments.c.model == model)
        if after is not None:
            query = query.where(deployments.c.name > after)
        return [deployment_of(row) for row in await self._session.execute(query)]

    async def replace(self, deployment: Deployment, *, expected_revision: int) -> bool:
        """Writes the deployment if it is still at `expected_revision`."""
        statement = (
            update(deployments)
            .where(
                deployments.c.name == deployment.name,
                deployments.c.revision == expected_revision,
            )
            .values(**_row(deployment))
        )
        return await changed_rows(self._session, statement) == 1

    async def delete(self, name: str) -> bool:
        statement = delete(deployments).where(deployments.c.name == name)
        return await changed_rows(self._session, statement) == 1

    async def add_revision(self, revision: Revision) -> None:
        await self._session.execute(
            insert(deployment_revisions).values(
                deployment=revision.deployment,
                revision=revision.revision,
                traffic=traffic_json(revision.traffic),
                replicas=revision.replicas,
                actor=revision.actor,
                reason=revision.reason,
                restored_revision=revision.restored_revision,
                create_time=revision.create_time,
            )
        )

    async def get_revision(self, deployment: str, revision: int) -> Revision | None:
        query = select(deployment_revisions).where(
            deployment_revisions.c.deployment == deployment,
            deployment_revisions.c.revision == revision,
        )
        row = (await self._session.execute(query)).first()
        return revision_of(row) if row is not None else None

    async def list_revisions(
        self, deployment: str, before: int | None, *, limit: int
    ) -> list[Revision]:
        """Newest first."""
        query = (
            select(deployment_revisions)
            .where(deployment_revisions.c.deployment == deployment)
            .order_by(deployment_revisions.c.revision.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(deployment_revisions.c.revision < before)
        return [revision_of(row) for row in await self._session.execute(query)]

    async def using(self, model: str) -> list[Deployment]:
        """The model's deployments (to tell which versions and aliases are served)."""
        query = select(deployments).where(deployments.c.model == model)
        return [deployment_of(row) for row in await self._session.execute(query)]


def _row(deployment: Deployment) -> dict[str, Any]:
    return {
        "name": deployment.name,
        "model": deployment.model,
        "traffic": traffic_json(deployment.traffic),
        "replicas": deployment.replicas,
        "state": int(deployment.state),
        "status_message": deployment.status_message,
        "revision": deployment.revision,
        "etag": deployment.etag,
        "create_time": deployment.create_time,
        "update_time": deployment.update_time,
    }
