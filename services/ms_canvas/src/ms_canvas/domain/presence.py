"""Presence and cursors of one canvas, deduplicated by (client id, clock).

y-websocket clients re-send every awareness change they receive, so a server that forwards
blindly multiplies each cursor move by the number of clients, and again on every hop. The
ledger keeps the newest clock per client: a repeat or an older entry is dropped here, and the
entries accepted since the last flush leave as one coalesced message.
"""

from __future__ import annotations

from dataclasses import dataclass

REMOVED = "null"


@dataclass(frozen=True)
class AwarenessEntry:
    client_id: int
    clock: int
    state: str  # JSON text, exactly as the client encoded it

    @property
    def removed(self) -> bool:
        return self.state == REMOVED


class AwarenessLedger:
    """The newest entry per client, and the ones accepted since the last `take_pending`."""

    def __init__(self) -> None:
        self._newest: dict[int, AwarenessEntry] = {}
        self._pending: dict[int, AwarenessEntry] = {}

    def accept(self, entries: list[AwarenessEntry]) -> list[AwarenessEntry]:
        """Keep the entries that are news (a higher clock, or the removal of a known client)."""
        accepted = []
        for entry in entries:
            known = self._newest.get(entry.client_id)
            if known is None:
                is_news = not entry.removed
            else:
                is_news = entry.clock > known.clock or (
                    entry.clock == known.clock and entry.removed and not known.removed
                )
            if not is_news:
                continue
            # A removal stays as a tombstone, so a late re-send of the old state is not news.
            self._newest[entry.client_id] = entry
            self._pending[entry.client_id] = entry
            accepted.append(entry)
        return accepted

    def remove(self, client_ids: set[int]) -> None:
        """Forget clients whose connection went away, telling everyone they left."""
        self.accept(
            [
                AwarenessEntry(client_id, self._newest[client_id].clock + 1, REMOVED)
                for client_id in sorted(client_ids)
                if client_id in self._newest and not self._newest[client_id].removed
            ]
        )

    def take_pending(self) -> list[AwarenessEntry]:
        """The entries accepted since the last call, at most one per client."""
        pending = list(self._pending.values())
        self._pending.clear()
        return pending

    def current(self) -> list[AwarenessEntry]:
        """Every client present now (what a new connection is told)."""
        return [entry for entry in self._newest.values() if not entry.removed]
