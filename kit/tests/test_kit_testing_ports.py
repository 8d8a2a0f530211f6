"""`free_port`: a port outgoing connections cannot take between the probe and the server's bind."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from knowledge_kit.testing import ports
from knowledge_kit.testing.ports import ephemeral_range, free_port


def test_a_free_port_lies_outside_the_ephemeral_range_and_can_be_bound() -> None:
    low, high = ephemeral_range()
    chosen = [free_port() for _ in range(50)]
    assert all(not low <= port <= high for port in chosen), (low, high, chosen)
    for port in chosen[:5]:
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))
            server.listen()


def test_a_port_a_server_listens_on_is_never_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", free_port()))
        server.listen()
        taken = server.getsockname()[1]
        monkeypatch.setattr(ports, "candidate_ports", lambda: range(taken, taken + 2))
        assert {free_port() for _ in range(20)} == {taken + 1}


def test_outgoing_connections_cannot_take_the_chosen_port() -> None:
    """Every local port the kernel gives 200 outgoing connections is in the ephemeral range, so
    none of them is a port `free_port` could have chosen."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(256)
        clients = [socket.create_connection(server.getsockname()) for _ in range(200)]
        try:
            local_ports = {client.getsockname()[1] for client in clients}
        finally:
            for client in clients:
                client.close()
    assert not local_ports & set(ports.candidate_ports())


def test_a_narrow_range_below_the_ephemeral_one_uses_the_ports_above_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow = tmp_path / "ip_local_port_range"
    narrow.write_text("10500\t60999\n")
    monkeypatch.setattr(ports, "EPHEMERAL_RANGE_FILE", narrow)
    assert ports.candidate_ports() == range(61000, 65536)
    assert 61000 <= free_port() <= 65535


def test_an_unreadable_range_falls_back_to_linux_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ports, "EPHEMERAL_RANGE_FILE", tmp_path / "missing")
    assert ephemeral_range() == (32768, 60999)
