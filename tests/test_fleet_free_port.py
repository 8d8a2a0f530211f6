"""The ports `fleet infra` and `fleet up` give their servers: never one an outgoing connection may
be handed by the kernel before the server binds it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fleet.infra import net
from fleet.infra.net import free_port


def test_a_free_port_is_below_the_ephemeral_range_and_can_be_listened_on() -> None:
    low, high = (int(bound) for bound in net.EPHEMERAL_RANGE_FILE.read_text().split())
    chosen = [free_port() for _ in range(50)]
    assert all(port < low or port > high for port in chosen), (low, high, chosen)
    with socket.socket() as server:
        server.bind((net.LOOPBACK, chosen[0]))
        server.listen()
        assert net.port_is_taken(chosen[0])


def test_a_machine_with_few_ports_below_the_range_gets_one_above_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow = tmp_path / "ip_local_port_range"
    narrow.write_text("11000 60999\n")
    monkeypatch.setattr(net, "EPHEMERAL_RANGE_FILE", narrow)
    assert all(61000 <= free_port() <= 65535 for _ in range(20))
