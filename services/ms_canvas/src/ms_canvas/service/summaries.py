"""Debounced CanvasChanged events: at most one per canvas every `debounce_seconds`, naming
everyone who edited since the previous one, recorded through the outbox."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import structlog

from ..domain.canvases import space_of
from ..domain.events import CanvasChanged
from ..domain.ports import UnitOfWorkFactory
from .room import CanvasRoom

_log = structlog.get_logger("ms_canvas.summaries")


@dataclass
class _Pending:
    editors: set[str] = field(default_factory=set)
    previous_revision: int = 0


class ChangeSummaries:
    def __init__(self, unit_of_work: UnitOfWorkFactory, *, debounce_seconds: float) -> None:
        self._unit_of_work = unit_of_work
        self._debounce = debounce_seconds
        self._pending: dict[str, _Pending] = {}
        self._last_revision: dict[str, int] = {}
        self._timers: set[asyncio.Task[None]] = set()

    def edited(self, room: CanvasRoom, editors: set[str]) -> None:
        """`editors` changed the canvas; a summary follows within `debounce_seconds`."""
        pending = self._pending.get(room.name)
        if pending is None:
            previous = self._last_revision.get(room.name, room.revision - len(editors))
            pending = self._pending[room.name] = _Pending(previous_revision=max(previous, 0))
            timer = asyncio.create_task(self._summarize_later(room))
            self._timers.add(timer)
            timer.add_done_callback(self._timers.discard)
        pending.editors |= editors

    async def flush(self) -> None:
        """Record every pending summary now (on shutdown)."""
        for timer in list(self._timers):
            timer.cancel()
        await asyncio.gather(*self._timers, return_exceptions=True)

    async def _summarize_later(self, room: CanvasRoom) -> None:
        try:
            await asyncio.sleep(self._debounce)
        finally:
            await asyncio.shield(self._record(room))

    async def _record(self, room: CanvasRoom) -> None:
        pending = self._pending.pop(room.name, None)
        if pending is None:
            return
        content = room.document.content()
        event = CanvasChanged(
            canvas=room.name,
            space=space_of(room.name),
            revision=room.revision,
            previous_revision=pending.previous_revision,
            node_count=len(content.nodes),
            edge_count=len(content.edges),
            editors=tuple(sorted(pending.editors)),
        )
        self._last_revision[room.name] = room.revision
        try:
            async with self._unit_of_work() as work:
                await work.record(event)
                await work.commit()
        except Exception:
            _log.warning("canvas_changed_not_recorded", canvas=room.name, exc_info=True)
