"""Events survive every fault: 10,000 events recorded through the outbox (a few hundred more
when a consumer the test waits on has nothing left to apply) are applied exactly once, in order
per key, while one of two relays is killed, the broker is killed and restarted on its data, and
each consumer in turn is killed mid-batch so its group rebalances onto the other one (and again
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
        # Two relays (two replicas), taking turns over a backlog; the first, SIGKILLed while it
        # publishes, comes back: a batch it published but had not deleted yet goes out again.
        await run.produce(3_500)
        for relay in run.relays:
            relay.start()
        await run.until("the relay publishing", lambda counts: counts.relayed >= 1_000)
        run.relay.kill()
        run.relay.start()
        # The new relay publishing before the broker goes: one starting while it is down would
        # exit (a service cannot start without Kafka), which is not the fault under test.
        await run.produce(500)
        await run.until("the restarted relay publishing", lambda counts: counts.relayed >= 4_000)

        # The broker, SIGKILLed while the consumers work through the backlog; events recorded
        # while it is down wait in the outbox; it comes back on the same data and port.
        await run.until("the consumers applying", lambda counts: counts.applied >= 500)
        await run.kill_broker()
        await run.produce(1_500)
        await run.restart_broker()

        # Each consumer in turn, SIGKILLed in the middle of its batches: its partitions move to
        # the other, which applies every event so far alone. Then it comes back while the other
        # works, and the group rebalances again, taking partitions from a member mid-batch.
        for victim, survivor in (run.consumers, run.consumers[::-1]):
            producing = asyncio.create_task(run.produce(1_000))
            await run.until_applying(victim, 100)
            victim.kill()
            await producing
            await run.until_applied(f"{survivor.name} taking {victim.name}'s partitions over")
            producing = asyncio.create_task(run.produce(1_250))
            victim.start()
            await producing

        await run.until_applied("every event applied")
        await run.until_caught_up()  # a redelivery still due would come after the counting
        counts = await run.counts()
        published = await run.published()
        exits = {process.name: process.exits for process in run.processes}
        print(
            f"\n{counts}; records published {published} ({published - counts.relayed} of "
            f"them again after the relay's kill); restarts after exiting on their own: {exits}"
        )
        assert run.recorded >= EVENTS
        assert counts == LedgerCounts(
            produced=run.recorded,
            relayed=run.recorded,
            applied=run.recorded,
            doubled=0,
            suppressed=counts.suppressed,
            reorderings=0,
        )
        # No rebalance (a member leaving or joining, the broker's restart) stopped a process.
        assert exits == {"relay": 0, "relay-2": 0, "consumer-1": 0, "consumer-2": 0}
        assert [process.name for process in run.processes if process.running] == [
            "relay",
            "relay-2",
            "consumer-1",
            "consumer-2",
        ]
