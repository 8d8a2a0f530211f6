"""A service process on the runtime: serves, exports its spans over OTLP, stops on SIGTERM, and
refuses to start on a variable under its prefix that is no setting."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.testing import JwksEndpoint

from .echo_service import bearer, echo_stub
from .otlp_receiver import otlp_receiver

KIT_ROOT = Path(__file__).parent.parent
# A sampled caller: the service records the trace whatever its own sample ratio.
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


async def start_sample(
    settings: dict[str, str], extra: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    environment = {
        **os.environ,
        **{f"MS_SAMPLE_{key}": value for key, value in settings.items()},
        **(extra or {}),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.runtime_service_process",
        cwd=KIT_ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def next_event(process: asyncio.subprocess.Process, event: str) -> dict[str, Any]:
    assert process.stdout is not None
    async with asyncio.timeout(60):
        while line := await process.stdout.readline():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if entry.get("event") == event:
                return dict(entry)
    raise AssertionError(f"the service process ended without logging {event}")


async def test_the_service_serves_exports_spans_over_otlp_and_stops_on_sigterm(
    tmp_path: Path, jwks_endpoint: JwksEndpoint
) -> None:
    async with otlp_receiver() as (receiver, endpoint):
        process = await start_sample(
            {
                "GRPC_HOST": "127.0.0.1",
                "GRPC_PORT": "0",
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'sample.db'}",
                "AUTH_JWKS_URL": jwks_endpoint.url,
                "AUTH_ISSUER": jwks_endpoint.issuer,
                "AUTH_AUDIENCE": jwks_endpoint.audience,
                "SHUTDOWN_GRACE_SECONDS": "1",
            },
            {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint},
        )
        try:
            started = await next_event(process, "service_started")
            async with grpc.aio.insecure_channel(f"127.0.0.1:{started['grpc_port']}") as channel:
                answer = await echo_stub(channel)(
                    StringValue(value="hi"),
                    metadata=(
                        *bearer(jwks_endpoint.mint("users/ada")),
                        ("traceparent", TRACEPARENT),
                    ),
                )
            process.send_signal(signal.SIGTERM)
            await next_event(process, "service_stopped")
            async with asyncio.timeout(60):
                exit_code = await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert answer.value == "users/ada:hi"
    assert exit_code == 0
    assert ("ms_sample", "/kit.test.Echo/Echo") in receiver.spans


async def test_a_variable_under_the_prefix_that_is_no_setting_stops_the_process_in_one_line(
    tmp_path: Path,
) -> None:
    process = await start_sample(
        {"GRPC_PROT": "1", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'sample.db'}"}
    )
    async with asyncio.timeout(60):
        stdout, stderr = await process.communicate()
    assert process.returncode != 0
    assert stdout == b""
    assert stderr.decode().splitlines() == [
        "ms_sample: invalid SampleSettings: MS_SAMPLE_GRPC_PROT: is not a setting of this "
        "service (did you mean MS_SAMPLE_GRPC_PORT?)"
    ]
