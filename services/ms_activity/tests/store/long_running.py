"""A store used for a while in a process of its own, as a service uses it: prints, as JSON, the
process's threads and descriptors after a few calls and again after many more.

    python -m tests.store.long_running <chdb directory> <calls>

The calls record small batches, each a part in every table (merges held back meanwhile, so they
stay parts); the tables are then emptied, which removes more than 100 parts of each at once, as
the engine's cleanup removes the parts merges replaced; then more batches are recorded and
aggregates and timelines read. Removing more than 100 parts at once is what borrowed 128 threads
the process kept, each with its descriptors.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from datetime import timedelta

from ms_activity.domain.filters import Filters
from ms_activity.domain.scope import ScopeKind
from ms_activity.store import ChdbSql, ClickHouseActivityStore, TimelineQuery

from .making import T0, activity, daily

DATABASE = "long_running"
MERGES_LIMIT_SECONDS = 30


def used(sql: ChdbSql) -> dict[str, int]:
    """The process's threads and descriptors once no merge is writing (a merge holds the files
    of the part it writes open while it runs)."""
    began = time.monotonic()
    while time.monotonic() - began < MERGES_LIMIT_SECONDS and int(
        sql.rows(
            "SELECT count() AS n FROM system.merges WHERE database = {db:String}",
            {"db": DATABASE},
        )[0]["n"]
    ):
        time.sleep(0.1)
    return {
        "threads": len(os.listdir("/proc/self/task")),
        "descriptors": len(os.listdir("/proc/self/fd")),
    }


async def calls(store: ClickHouseActivityStore, first: int, count: int, *, reads: bool) -> None:
    """`count` small batches recorded, with `reads` each followed by an aggregate and a timeline
    page."""
    for number in range(first, first + count):
        batch = [activity(number * 3 + n, at=T0 + timedelta(minutes=number)) for n in range(3)]
        await store.record(batch)
        if reads:
            await store.aggregate(daily())
            await store.timeline(
                TimelineQuery(ScopeKind.SPACE, "spaces/s1", T0, None, Filters(), None, 20)
            )


async def main(path: str, count: int) -> None:
    sql = ChdbSql(path)
    store = ClickHouseActivityStore(sql, DATABASE)
    store.migrate()
    tables = [
        row["name"]
        for row in sql.rows(
            "SELECT name FROM system.tables WHERE database = {db:String}"
            " AND engine LIKE '%MergeTree'",
            {"db": DATABASE},
        )
    ]
    await calls(store, 0, 5, reads=True)
    before = used(sql)
    for table in tables:
        sql.execute(f"SYSTEM STOP MERGES {DATABASE}.{table}")
    await calls(store, 5, count, reads=False)
    parts = sql.rows(
        "SELECT max(n) AS most FROM (SELECT table, count() AS n FROM system.parts"
        " WHERE database = {db:String} AND active GROUP BY table)",
        {"db": DATABASE},
    )[0]["most"]
    for table in tables:
        sql.execute(f"TRUNCATE TABLE {DATABASE}.{table}")
        sql.execute(f"SYSTEM START MERGES {DATABASE}.{table}")
    await calls(store, 5 + count, count // 2, reads=True)
    after = used(sql)
    await store.close()
    print(json.dumps({"before": before, "after": after, "most_parts": int(parts)}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
