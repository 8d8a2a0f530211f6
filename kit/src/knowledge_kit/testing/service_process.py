"""A service as it runs in production: `python -m <service>` in a process of its own, on free
loopback ports, its settings under its prefix; asked through gRPC health whether it serves, then
stopped on SIGTERM, which it must survive with exit code 0.

`async with running_service_process("ms_billing", {...}, trusting=jwks_endpoint) as service:`
or, in a service's tests, the plugin's `start_service_process` fixture (which trusts the test's
JWKS endpoint and stops what it started).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2

from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from knowledge_kit.testing.ports import free_port as free_port  # re-exported for services' tests

HEALTH_CHECK = "/grpc.health.v1.Health/Check"
STARTUP_LIMIT_SECONDS = 60.0
SHUTDOWN_LIMIT_SECONDS = 30.0


def trusted_issuer_settings(jwks_endpoint: JwksEndpoint) -> dict[str, str]:
    """The AUTH_* settings of a service that accepts the tokens `jwks_endpoint` mints."""
    return {
        "AUTH_JWKS_URL": jwks_endpoint.url,
        "AUTH_ISSUER": jwks_endpoint.issuer,
        "AUTH_AUDIENCE": jwks_endpoint.audience,
    }


class ServiceProcess:
    """A started `python -m <module>`; `target` is its gRPC address, `output` what it wrote so far
    (stdout and stderr together, read as it comes, so a chatty service never blocks on a pipe)."""

    def __init__(self, module: str, process: asyncio.subprocess.Process, target: str) -> None:
        self.module = module
        self.process = process
        self.target = target
        self._output = bytearray()
        self._reader = asyncio.create_task(self._read_output())

    async def _read_output(self) -> None:
        assert self.process.stdout is not None
        while chunk := await self.process.stdout.read(65536):
            self._output.extend(chunk)

    @property
    def output(self) -> str:
        return self._output.decode(errors="replace")

    async def serving(
        self, service: str = "", within_seconds: float = STARTUP_LIMIT_SECONDS
    ) -> None:
        """Waits until the process answers a health check for `service` ("": the server as a
        whole) and asserts the answer is SERVING; fails at once, with its output, if the process
        exits first."""
        async with grpc.aio.insecure_channel(self.target) as channel:
            check_health = channel.unary_unary(
                HEALTH_CHECK,
                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                response_deserializer=health_pb2.HealthCheckResponse.FromString,
            )
            answer = asyncio.ensure_future(
                check_health(
                    health_pb2.HealthCheckRequest(service=service),
                    timeout=within_seconds,
                    wait_for_ready=True,
                )
            )
            exited = asyncio.ensure_future(self.process.wait())
            await asyncio.wait({answer, exited}, return_when=asyncio.FIRST_COMPLETED)
            exited.cancel()
            if not answer.done():
                answer.cancel()
                await self._reader
                raise AssertionError(
                    f"{self.module} exited with {self.process.returncode} before it served; "
                    f"its output:\n{self.output}"
                )
            try:
                status = answer.result().status
            except grpc.aio.AioRpcError as error:
                raise AssertionError(
                    f"{self.module} did not answer its health check within {within_seconds:g} s "
                    f"({error.code().name}); its output:\n{self.output}"
                ) from None
        assert status == health_pb2.HealthCheckResponse.SERVING, (
            f"{self.module} answers {health_pb2.HealthCheckResponse.ServingStatus.Name(status)} "
            f"for {service or 'the server'!r}; its output:\n{self.output}"
        )

    async def stop_on_sigterm(self, within_seconds: float = SHUTDOWN_LIMIT_SECONDS) -> str:
        """Sends SIGTERM as an orchestrator does and asserts the process exits 0 within that time;
        returns everything it wrote."""
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), within_seconds)
        except TimeoutError:
            raise AssertionError(
                f"{self.module} was still running {within_seconds:g} s after SIGTERM; its output:\n"
                f"{self.output}"
            ) from None
        await self._reader
        assert self.process.returncode == 0, (
            f"{self.module} exited with {self.process.returncode} on SIGTERM; its output:\n"
            f"{self.output}"
        )
        return self.output

    async def kill(self) -> None:
        """Kills the process if it still runs and waits for it (cleanup after a failed test)."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._reader


@asynccontextmanager
async def running_service_process(
    module: str,
    settings: Mapping[str, str] | None = None,
    *,
    trusting: JwksEndpoint | None = None,
    prefix: str | None = None,
    cwd: Path | None = None,
    environment: Mapping[str, str] | None = None,
) -> AsyncIterator[ServiceProcess]:
    """Starts `python -m module` with GRPC_HOST/GRPC_PORT on a free loopback port, LOG_JSON false,
    the AUTH_* settings of `trusting` and `settings`, each under `prefix` (default: the module's
    name in capitals and "_"), plus `environment` as it is; kills the process on the way out if
    the test did not stop it."""
    port = free_port()
    prefix = f"{module.upper()}_" if prefix is None else prefix
    every_setting = {
        "GRPC_HOST": "127.0.0.1",
        "GRPC_PORT": str(port),
        "LOG_JSON": "false",
        **(trusted_issuer_settings(trusting) if trusting is not None else {}),
        **(settings or {}),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        cwd=cwd,
        env={
            **os.environ,
            **{prefix + key: value for key, value in every_setting.items()},
            **(environment or {}),
        },
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    service = ServiceProcess(module, process, f"127.0.0.1:{port}")
    try:
        yield service
    finally:
        await service.kill()
