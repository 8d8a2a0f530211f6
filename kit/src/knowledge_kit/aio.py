"""Small asyncio pieces every service's background loops need."""

from __future__ import annotations

import asyncio


async def first_set(*events: asyncio.Event, seconds: float | None = None) -> None:
    """Return once any of `events` is set, or after `seconds` (None: no time limit)."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
