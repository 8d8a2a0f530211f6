"""Which other ms_canvas instances hold which of this instance's canvases open.

Learned from CanvasHeld records on canvas.updates.v1. An instance that stops announcing (it
crashed, or its records are lost) is forgotten after `expires_after` seconds: at worst its
canvases' updates are relayed for nobody until then.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class CanvasHolders:
    def __init__(
        self, *, expires_after: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._expires_after = expires_after
        self._clock = clock
        self._until: dict[str, dict[str, float]] = {}  # canvas -> instance -> expiry

    def saw(self, canvas: str, instance: str) -> bool:
        """`instance` says it holds `canvas`; True if it was not known to hold it."""
        holders = self._until.setdefault(canvas, {})
        known = holders.get(instance, 0.0) > self._clock()
        holders[instance] = self._clock() + self._expires_after
        return not known

    def released(self, canvas: str, instance: str) -> None:
        """`instance` let `canvas` go."""
        self._until.get(canvas, {}).pop(instance, None)

    def held_elsewhere(self, canvas: str) -> bool:
        """Whether any other instance holds `canvas` now."""
        holders = self._until.get(canvas)
        if not holders:
            return False
        now = self._clock()
        for instance, until in list(holders.items()):
            if until <= now:
                del holders[instance]
        return bool(holders)

    def forget(self, canvas: str) -> None:
        """This instance let `canvas` go: who else holds it no longer matters."""
        self._until.pop(canvas, None)
