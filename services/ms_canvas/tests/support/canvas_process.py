"""ms_canvas as its own OS process (`python -m ms_canvas`), as it runs in production."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from knowledge_kit.testing.ports import free_port


@dataclass
class CanvasProcess:
    """One ms_canvas instance, configured by `environment` (MS_CANVAS_* variables)."""

    environment: dict[str, str]
    grpc_port: int = field(default_factory=free_port)
    websocket_port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None

    @property
    def websocket_url(self) -> str:
        return f"ws://127.0.0.1:{self.websocket_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    async def start(self) -> None:
        env = {
            **os.environ,
            **self.environment,
            "MS_CANVAS_GRPC_PORT": str(self.grpc_port),
            "MS_CANVAS_WEBSOCKET_PORT": str(self.websocket_port),
        }
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ms_canvas", env=env
        )
        for _ in range(300):
            if self.process.returncode is not None:
                raise RuntimeError(f"ms_canvas exited with {self.process.returncode} on start")
            if await _serving(self.grpc_target) and _accepts(self.websocket_port):
                return
            await asyncio.sleep(0.05)
        raise RuntimeError("ms_canvas did not start serving within 15 seconds")

    async def kill(self) -> None:
        """SIGKILL: no goodbye, no flushing; only what was stored survives."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def _serving(target: str) -> bool:
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            answer = await health_pb2_grpc.HealthStub(channel).Check(  # type: ignore[attr-defined]
                health_pb2.HealthCheckRequest(), timeout=0.5
            )
        except grpc.aio.AioRpcError:
            return False
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
