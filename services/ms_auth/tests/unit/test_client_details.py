"""The client address shown in the session list, from the gRPC peer or the edge's header."""

from __future__ import annotations

import pytest

from ms_auth.server.client_details import peer_address


@pytest.mark.parametrize(
    ("peer", "address"),
    [
        ("ipv4:10.0.0.7:5123", "10.0.0.7"),
        ("ipv6:[::1]:5123", "::1"),
        ("ipv6:%5B2001:db8::1%5D:443", "2001:db8::1"),
        ("unix:/run/grpc.sock", ""),
    ],
)
def test_peer_strings_give_the_client_address(peer: str, address: str) -> None:
    assert peer_address(peer) == address
