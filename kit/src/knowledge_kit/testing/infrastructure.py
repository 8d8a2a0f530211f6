"""The PostgreSQL and Kafka the test command started, and throwaway databases and topics on them."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from knowledge_kit.events.kafka import KafkaConnection

POSTGRES_URL_ENV = "KNOWLEDGE_TEST_POSTGRES_URL"
KAFKA_BOOTSTRAP_ENV = "KNOWLEDGE_TEST_KAFKA_BOOTSTRAP"


class InfrastructureMissing(Exception):
    """The test needs PostgreSQL or Kafka and the test command did not provide it."""


def provisioned(variable: str, what: str) -> str:
    """The value of `variable`, or InfrastructureMissing saying how to provide it."""
    value = os.environ.get(variable)
    if not value:
        raise InfrastructureMissing(
            f"{what} was not provisioned ({variable} is unset): run `make test`, or "
            f"`fleet infra run -- pytest ...` to start it for a single run"
        )
    return value


def unique_name(prefix: str) -> str:
    """`prefix` plus a random suffix: safe for parallel test workers sharing one broker/cluster."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def asyncpg_url(postgres_url: str, database: str) -> str:
    """The SQLAlchemy URL of `database` on the cluster at `postgres_url`."""
    url = make_url(postgres_url).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


def libpq_url(postgres_url: str) -> str:
    """`postgres_url` in the plain form asyncpg.connect accepts."""
    url = make_url(postgres_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def create_database(postgres_url: str, database: str) -> None:
    """CREATE DATABASE on the test cluster."""
    import asyncpg

    admin = await asyncpg.connect(libpq_url(postgres_url))
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()


async def drop_database(postgres_url: str, database: str) -> None:
    """DROP DATABASE, disconnecting whatever still uses it."""
    import asyncpg

    admin = await asyncpg.connect(libpq_url(postgres_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def throwaway_database(postgres_url: str, prefix: str) -> AsyncIterator[str]:
    """A fresh, empty database on the test PostgreSQL, as a `postgresql+asyncpg://` URL;
    dropped on leaving the block."""
    database = unique_name(prefix)
    await create_database(postgres_url, database)
    try:
        yield asyncpg_url(postgres_url, database)
    finally:
        await drop_database(postgres_url, database)


async def create_topics(
    bootstrap: KafkaConnection | str, names: list[str], partitions: int = 1
) -> None:
    """Create Kafka topics (single replica, as on the test broker)."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from knowledge_kit.events.kafka import kafka_client_options

    admin = AIOKafkaAdminClient(**kafka_client_options(bootstrap))
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in names]
        )
    finally:
        await admin.close()
