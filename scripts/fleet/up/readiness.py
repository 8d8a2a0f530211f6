"""Waiting until a started service answers its gRPC health check with SERVING."""

from __future__ import annotations

import time

import grpc
from grpc_health.v1 import health_pb2

from fleet.errors import FleetError
from fleet.infra.net import LOOPBACK
from fleet.infra.processes import tail
from fleet.up.processes import ManagedProcess

POLL_SECONDS = 0.1
HEALTH_CHECK = "/grpc.health.v1.Health/Check"


def is_serving(port: int, timeout: float = 1.0) -> bool:
    with grpc.insecure_channel(f"{LOOPBACK}:{port}") as channel:
        check = channel.unary_unary(
            HEALTH_CHECK,
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        try:
            answer = check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.RpcError:
            return False
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


def wait_until_serving(process: ManagedProcess, port: int, timeout: float) -> None:
    """Return once `process` is SERVING on `port`; fail with its log's tail if it dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.exit_code()
        if code is not None:
            raise FleetError(
                f"{process.name} exited with code {code} while starting; "
                f"last log lines ({process.log_path}): {_one_line(tail(process.log_path, 3))}"
            )
        if is_serving(port):
            return
        time.sleep(POLL_SECONDS)
    raise FleetError(
        f"{process.name} did not report SERVING on port {port} within {timeout:.0f}s; "
        f"see {process.log_path}"
    )


def _one_line(text: str) -> str:
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())
