"""`python -m ms_knowledge` refuses to start on a mistyped variable instead of ignoring it."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path


async def test_a_mistyped_variable_stops_the_service_in_one_line_naming_it(
    tmp_path: Path,
) -> None:
    environment = {
        **os.environ,
        "MS_KNOWLEDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'knowledge.db'}",
        "MS_KNOWLEDGE_GRPC_PROT": "1",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ms_knowledge",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        stdout, stderr = await process.communicate()

    assert process.returncode != 0
    assert stdout == b""
    assert stderr.decode().splitlines() == [
        "ms_knowledge: invalid Settings: MS_KNOWLEDGE_GRPC_PROT: is not a setting of this "
        "service (did you mean MS_KNOWLEDGE_GRPC_PORT?)"
    ]
    assert not (tmp_path / "knowledge.db").exists(), "nothing started"


async def test_an_unreachable_kafka_stops_the_service_in_one_line_naming_it(
    tmp_path: Path,
) -> None:
    with socket.socket() as closed:  # a port nobody listens on once this block ends
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    environment = {
        **os.environ,
        "MS_KNOWLEDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'knowledge.db'}",
        "MS_KNOWLEDGE_GRPC_PORT": "0",
        "MS_KNOWLEDGE_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ms_knowledge",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        _, stderr = await process.communicate()

    assert process.returncode != 0
    last_line = stderr.decode().splitlines()[-1]
    assert last_line.startswith(
        f"ms_knowledge: cannot connect to Kafka at 127.0.0.1:{port} over PLAINTEXT"
    ), stderr.decode()[-2000:]
    assert "Traceback" not in stderr.decode()
