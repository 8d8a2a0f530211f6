"""The activities' store: ClickHouse, in process (chdb) or a server (clickhouse-connect), with
the same SQL and schema migrations for both."""

from .chdb_sql import ChdbSql
from .clickhouse_store import ClickHouseActivityStore
from .connect_sql import ConnectSql
from .model import (
    Activity,
    Aggregate,
    AggregatePath,
    AggregateQuery,
    Bucket,
    Count,
    TimelineQuery,
)
from .opening import StoreSettings, open_store
from .port import ActivityStore
from .sql import ClickHouse, StoreUnavailable

__all__ = [
    "Activity",
    "ActivityStore",
    "Aggregate",
    "AggregatePath",
    "AggregateQuery",
    "Bucket",
    "ChdbSql",
    "ClickHouse",
    "ClickHouseActivityStore",
    "ConnectSql",
    "Count",
    "StoreSettings",
    "StoreUnavailable",
    "TimelineQuery",
    "open_store",
]
