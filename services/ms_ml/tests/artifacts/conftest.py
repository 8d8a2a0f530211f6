"""An S3-compatible server for the S3 adapter's tests: moto's S3 server on loopback (a real HTTP
endpoint speaking the S3 API; an emulator, not AWS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from knowledge_kit.testing.ports import free_port
from moto.server import ThreadedMotoServer


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
