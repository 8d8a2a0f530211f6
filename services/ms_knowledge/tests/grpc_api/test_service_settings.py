"""`python -m ms_knowledge` refuses to start on a mistyped variable instead of ignoring it."""

from __future__ import annotations

import asyncio
import os
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
