"""The outbox relay process of the fault test, run as a service's composition root runs it.

`python -m tests.events_faults.relay DATABASE_URL BOOTSTRAP`: the kit's relaying_outbox until
SIGTERM; SIGKILL is the fault under test.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.events.relaying import relaying_outbox


async def relay(database_url: str, bootstrap: str) -> None:
    engine = create_database_engine(database_url, traced=False)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        async with relaying_outbox(session_factory(engine), bootstrap, client_id="ms-faults"):
            await stop.wait()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    database_url, bootstrap = sys.argv[1:]
    asyncio.run(relay(database_url, bootstrap))
