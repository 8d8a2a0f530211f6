"""Unmodified yjs + y-websocket collaborators in one Node process (and its headless Chromium
pages), driven through tests/clients/driver.mjs one JSON line per call."""

from __future__ import annotations

import asyncio
import fcntl
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

CLIENTS = Path(__file__).resolve().parent.parent / "clients"


class Collaborators:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._answers: dict[int, asyncio.Future[Any]] = {}
        self._seq = 0
        self._reader = asyncio.create_task(self._read())

    async def call(self, client: str, op: str, *args: Any) -> Any:
        self._seq += 1
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._answers[self._seq] = answer
        line = {"seq": self._seq, "client": client, "op": op, "args": list(args)}
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(line).encode() + b"\n")
        await self._process.stdin.drain()
        return await asyncio.wait_for(answer, 30)

    async def open(
        self, client: str, where: str, url: str, canvas: str, token: str, user: str
    ) -> None:
        await self.call(
            client,
            "open",
            {"where": where, "url": url, "canvas": canvas, "token": token, "user": user},
        )

    async def _read(self) -> None:
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            answer = json.loads(line)
            future = self._answers.pop(answer["seq"])
            if "error" in answer:
                future.set_exception(AssertionError(f"collaborator: {answer['error']}"))
            else:
                future.set_result(answer["result"])

    async def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        await self._process.wait()
        self._reader.cancel()


def client_packages() -> None:
    """yjs, y-websocket, ws, esbuild and playwright-core as package-lock.json pins them:
    `npm ci` once, unless tests/clients/node_modules is there already (the platform
    repository links its shared install there)."""
    with (CLIENTS / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers install once
        if (CLIENTS / "node_modules").exists():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("the collaborator tests need Node.js and npm on PATH")
        subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CLIENTS,
            check=True,
        )


@asynccontextmanager
async def collaborators() -> AsyncIterator[Collaborators]:
    await asyncio.to_thread(client_packages)
    process = await asyncio.create_subprocess_exec(
        "node",
        str(CLIENTS / "driver.mjs"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 24,
    )
    driver = Collaborators(process)
    try:
        yield driver
    finally:
        await driver.close()
