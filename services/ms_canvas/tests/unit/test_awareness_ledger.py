"""Presence is passed on once per (client id, clock), and coalesced to one entry per client."""

from __future__ import annotations

import pytest

from ms_canvas.domain.presence import AwarenessEntry, AwarenessLedger
from ms_canvas.server.yjs.awareness import encode_awareness_update, parse_awareness_update
from ms_canvas.server.yjs.lib0 import MalformedMessage


def cursor(client: int, clock: int, x: int = 0) -> AwarenessEntry:
    return AwarenessEntry(client, clock, f'{{"cursor":{{"x":{x}}}}}')


def test_updates_round_trip_through_the_wire_format() -> None:
    entries = [cursor(1, 3), AwarenessEntry(2, 9, "null")]
    assert parse_awareness_update(encode_awareness_update(entries)) == entries


def test_a_re_sent_or_older_entry_is_not_news() -> None:
    ledger = AwarenessLedger()
    assert ledger.accept([cursor(1, 2)]) == [cursor(1, 2)]
    assert ledger.accept([cursor(1, 2), cursor(1, 1)]) == []
    assert ledger.accept([cursor(1, 3, x=5)]) == [cursor(1, 3, x=5)]


def test_pending_entries_coalesce_to_the_newest_per_client() -> None:
    ledger = AwarenessLedger()
    ledger.accept([cursor(1, 1), cursor(2, 1)])
    ledger.accept([cursor(1, 2, x=9)])
    assert sorted(ledger.take_pending(), key=lambda e: e.client_id) == [
        cursor(1, 2, x=9),
        cursor(2, 1),
    ]
    assert ledger.take_pending() == []


def test_a_removed_client_stays_gone_when_its_old_state_comes_back() -> None:
    ledger = AwarenessLedger()
    ledger.accept([cursor(1, 4)])
    ledger.remove({1})
    assert [(e.client_id, e.clock, e.removed) for e in ledger.take_pending()] == [(1, 5, True)]
    assert ledger.accept([cursor(1, 4)]) == []
    assert ledger.current() == []


def test_a_state_that_is_not_json_is_malformed() -> None:
    with pytest.raises(MalformedMessage, match="not JSON"):
        parse_awareness_update(encode_awareness_update([AwarenessEntry(1, 1, "{oops")]))
