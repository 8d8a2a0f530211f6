"""ms_knowledge as it runs in production, `python -m ms_knowledge`, one process per instance, each
in a slot with a fixed port so that a replacement takes its predecessor's address."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

START_DEADLINE = 90.0
STOP_DEADLINE = 60.0


@dataclass
class Slot:
    """One instance's place: its address, its environment and the process now running there."""

    name: str
    port: int
    environment: dict[str, str]
    log_dir: Path
    process: asyncio.subprocess.Process | None = None
    generation: int = 0
    exit_codes: list[int] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        """A new process in this slot, returned once its health check says SERVING."""
        self.generation += 1
        log = self.log_dir / f"{self.name}-{self.generation}.log"
        with log.open("wb") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "ms_knowledge",
                env={**os.environ, **self.environment, "MS_KNOWLEDGE_GRPC_PORT": str(self.port)},
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
            )
        await self._until_serving(log)

    async def _until_serving(self, log: Path) -> None:
        assert self.process is not None
        async with grpc.aio.insecure_channel(self.address) as channel:
            stub: Any = health_pb2_grpc.HealthStub(channel)  # the async stub is untyped
            check = stub.Check
            deadline = asyncio.get_running_loop().time() + START_DEADLINE
            while asyncio.get_running_loop().time() < deadline:
                if self.process.returncode is not None:
                    break
                try:
                    answer = await check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                except grpc.aio.AioRpcError:
                    await asyncio.sleep(0.2)
                    continue
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    return
        printed = await asyncio.to_thread(log.read_text, errors="replace")
        raise AssertionError(f"{self.name} did not start serving:\n{printed[-4000:]}")

    async def terminate(self) -> asyncio.subprocess.Process:
        """SIGTERM, as Kubernetes sends it; returns once the process no longer accepts
        connections (it still drains those it has), so that a replacement may take the port."""
        process = self.process
        assert process is not None
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(STOP_DEADLINE):
            while await _accepts_connections(self.port) and process.returncode is None:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        return process

    async def exited(self, process: asyncio.subprocess.Process) -> int:
        """The exit code of a terminated process, once it has drained and stopped."""
        async with asyncio.timeout(STOP_DEADLINE):
            code = await process.wait()
        self.exit_codes.append(code)
        return code

    async def kill(self) -> None:
        """Whatever still runs, at the end of a failed test."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def _accepts_connections(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True
