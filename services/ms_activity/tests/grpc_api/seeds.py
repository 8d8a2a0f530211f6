"""Activities the RPC tests start from: Ada and Bob edit documents of the handbook space."""

from __future__ import annotations

from datetime import timedelta

from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentUpdated

from ..support import NOW, Events, Spaces, envelope

ADA, BOB, CY = "users/ada", "users/bob", "users/cy"
SPACE = "spaces/handbook"


async def edits(events: Events, spaces: Spaces, count: int) -> None:
    """`count` edits in the handbook, alternately by Ada and Bob, a minute apart before NOW."""
    await spaces.add(SPACE, ADA, BOB)
    await events.apply(
        *(
            envelope(
                DocumentUpdated(
                    document=f"{SPACE}/documents/d{number % 3}",
                    space=SPACE,
                    title=f"Page {number % 3}",
                    revision=number + 2,
                    author=Actor(
                        name=(ADA, BOB)[number % 2], display_name=("Ada", "Bob")[number % 2]
                    ),
                ),
                at=NOW - timedelta(minutes=count - number),
            )
            for number in range(count)
        )
    )
