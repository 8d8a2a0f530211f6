"""Events survive every fault: 10,000 events recorded through the outbox are applied exactly
once, in order per key, while the relay is killed, the broker is killed and restarted on its
data, and a consumer is killed mid-batch so its group rebalances onto the other one (and again
when it comes back)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from knowledge_kit.testing.infrastructure import throwaway_database

from .events_faults.harness import fault_run
from .events_faults.ledger import LedgerCounts

EVENTS = 10_000


async def test_every_event_is_applied_once_in_order_through_every_fault(
    postgres_url: str, tmp_path: Path
) -> None:
    async with throwaway_database(postgres_url, "faults") as url, fault_run(url, tmp_path) as run:
        # The relay, SIGKILLed while it publishes a backlog: its batch goes out again.
        await run.produce(4_000)
        run.relay.start()
        await run.until("the relay publishing", lambda counts: counts.relayed >= 1_000)
        run.relay.kill()
        run.relay.start()

        # The broker, SIGKILLed while the consumers work through the backlog; events recorded
        # while it is down wait in the outbox; it comes back on the same data and port.
        await run.until("the consumers applying", lambda counts: counts.applied >= 500)
        await run.kill_broker()
        await run.produce(1_500)
        await run.restart_broker()

        # A consumer, SIGKILLed in the middle of its batches: its partitions move to the other,
        # which applies every event so far alone.
        await run.produce(2_000)
        victim, survivor = run.consumers
        await run.until_applying(victim, 200)
        victim.kill()
        await run.produce(1_000)
        so_far = run.recorded
        await run.until("the survivor taking over", lambda counts: counts.applied >= so_far)

        # The killed consumer comes back while the survivor works: the group rebalances again,
        # taking partitions away from a member in the middle of its batches.
        producing = asyncio.create_task(run.produce(EVENTS - run.recorded))
        victim.start()
        await producing
        await run.until("every event applied", lambda counts: counts.applied >= EVENTS)
        await run.until_caught_up()  # a redelivery still due would come after the counting
        counts = await run.counts()
        published = await run.published()
        exits = {process.name: process.exits for process in run.processes}
        print(
            f"\n{counts}; records published {published} ({published - counts.relayed} of "
            f"them again after the relay's kill); restarts after exiting on their own: {exits}"
        )
        assert counts == LedgerCounts(
            produced=EVENTS,
            relayed=EVENTS,
            applied=EVENTS,
            doubled=0,
            suppressed=counts.suppressed,
            reorderings=0,
        )
        # No rebalance (a member leaving or joining, the broker's restart) stopped a process.
        assert exits == {"relay": 0, "consumer-1": 0, "consumer-2": 0}
        assert survivor.process is not None and survivor.process.poll() is None
