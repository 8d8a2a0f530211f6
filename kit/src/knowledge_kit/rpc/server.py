"""A grpc.aio server with the kit's pipeline, health, reflection, limits and graceful shutdown."""

from __future__ import annotations

import asyncio
import gc
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import grpc
import prometheus_client
import structlog
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection, reflection_pb2_grpc

from knowledge_kit.auth.jwks import JwksKeySet
from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.rpc.pipeline import RpcPipeline, RpcStep
from knowledge_kit.rpc.registration import MethodTable, WrappingRegistrar
from knowledge_kit.rpc.steps import (
    Authenticate,
    MapErrors,
    ObserveRpc,
    RefuseNulCharacters,
    TraceRpc,
)
from knowledge_kit.settings import ServiceSettings

ServicerT = TypeVar("ServicerT")
_log = structlog.get_logger("knowledge_kit.server")


def default_steps(settings: ServiceSettings, verifier: TokenVerifier) -> list[RpcStep]:
    """The kit's stack, outermost first: trace; map errors, count and log (`ObserveRpc`, the
    work of `MapErrors`, `RecordMetrics` and `LogRpc` in one coroutine); authenticate; refuse
    text holding NUL characters."""
    return [
        TraceRpc(),
        ObserveRpc(),
        Authenticate(verifier, settings.public_methods),
        RefuseNulCharacters(),
    ]


def token_verifier(settings: ServiceSettings) -> TokenVerifier:
    """A verifier against the Auth service's JWKS named in `settings`."""
    return TokenVerifier(
        JwksKeySet(
            settings.auth_jwks_url,
            max_age_seconds=settings.auth_jwks_max_age_seconds,
            min_refresh_seconds=settings.auth_jwks_min_refresh_seconds,
        ),
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
    )


class ServiceServer:
    """Usage: `server = ServiceServer(settings)`, `server.add_servicer(add_XServicer_to_server, x)`,
    then `await server.serve()` (returns after SIGTERM/SIGINT and a graceful stop)."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        steps: Sequence[RpcStep] | None = None,
        verifier: TokenVerifier | None = None,
    ) -> None:
        self.settings = settings
        # A verifier the server made is the server's to close; one passed in belongs to the caller.
        self._own_verifier: TokenVerifier | None = None
        if steps is None:
            if verifier is None:
                verifier = self._own_verifier = token_verifier(settings)
            steps = default_steps(settings, verifier)
        self._server = grpc.aio.server(
            options=_channel_options(settings),
            maximum_concurrent_rpcs=settings.grpc_max_concurrent_rpcs,
        )
        # One table of every method, the first handler grpc.aio asks (see `registration`).
        table = MethodTable()
        self._server.add_generic_rpc_handlers((table,))
        self._registrar = WrappingRegistrar(self._server, RpcPipeline(steps), table)
        # Health and reflection run without the steps (no token, no line per probe), only with
        # the error mapping, so that bytes that do not parse are INVALID_ARGUMENT there too.
        self._unstepped = WrappingRegistrar(self._server, RpcPipeline([MapErrors()]), table)
        self._health = HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._unstepped_server)
        self._stopping = asyncio.Event()
        self.port = 0

    @property
    def _unstepped_server(self) -> grpc.aio.Server:
        # What generated registration functions call on a server, the registrar has.
        return cast(grpc.aio.Server, self._unstepped)

    def add_servicer(self, register: Callable[[ServicerT, Any], None], servicer: ServicerT) -> None:
        """Register a servicer with its generated `add_*Servicer_to_server` function."""
        register(servicer, self._registrar)

    async def start(self) -> int:
        """Bind, start serving, mark every service SERVING; returns the bound port."""
        names = [
            *self._registrar.service_names,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
        ]
        reflection_pb2_grpc.add_ServerReflectionServicer_to_server(
            reflection.aio.ReflectionServicer([*names, reflection.SERVICE_NAME]),
            self._unstepped_server,
        )
        address = f"{self.settings.grpc_host}:{self.settings.grpc_port}"
        self.port = self._server.add_insecure_port(address)
        if self.port == 0:
            raise OSError(f"cannot listen on {address}")
        await self._server.start()
        if self.settings.metrics_port is not None:
            prometheus_client.start_http_server(self.settings.metrics_port, self.settings.grpc_host)
        for name in ["", *self._registrar.service_names]:
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        _log.info("grpc_server_started", address=address, port=self.port)
        return self.port

    async def stop(self, grace_seconds: float | None = None) -> None:
        """Report NOT_SERVING, refuse new RPCs, give in-flight ones the grace period, then stop."""
        grace = self.settings.shutdown_grace_seconds if grace_seconds is None else grace_seconds
        await self._health.enter_graceful_shutdown()
        stopping = asyncio.ensure_future(self._server.stop(grace))
        await asyncio.sleep(0)  # stop() has begun: listeners are closed, new RPCs are refused
        _log.info("grpc_server_draining", grace_seconds=grace)
        await stopping
        if self._own_verifier is not None:
            await self._own_verifier.close()
        _log.info("grpc_server_stopped")

    def request_stop(self) -> None:
        """Ask `serve()` to stop gracefully (what SIGTERM does)."""
        self._stopping.set()

    async def serve(self) -> None:
        """Start, run until SIGTERM or SIGINT (or `request_stop()`), then stop gracefully."""
        loop = asyncio.get_running_loop()
        await self.start()
        # Everything built at start-up lives as long as the process: keep the cyclic garbage
        # collector from re-scanning it on every collection (a visible share of a small RPC).
        # Here rather than in start(), which tests call again and again in one process.
        gc.freeze()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.request_stop)
        try:
            await self._stopping.wait()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            await self.stop()


def _channel_options(settings: ServiceSettings) -> list[tuple[str, int]]:
    keepalive_ms = int(settings.grpc_keepalive_seconds * 1000)
    return [
        ("grpc.max_send_message_length", settings.grpc_max_message_bytes),
        ("grpc.max_receive_message_length", settings.grpc_max_message_bytes),
        ("grpc.keepalive_time_ms", keepalive_ms),
        ("grpc.keepalive_timeout_ms", int(settings.grpc_keepalive_timeout_seconds * 1000)),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", min(keepalive_ms, 10_000)),
        ("grpc.so_reuseport", 0),
    ]
