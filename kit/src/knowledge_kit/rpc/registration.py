"""Registering servicers so that each method handler is wrapped by the pipeline exactly once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import grpc

from knowledge_kit.rpc.pipeline import RpcPipeline


class WrappingRegistrar:
    """Stands in for the server when generated `add_*Servicer_to_server` functions run."""

    def __init__(self, server: grpc.aio.Server, pipeline: RpcPipeline) -> None:
        self._server = server
        self._pipeline = pipeline
        self.service_names: list[str] = []

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(
            [_WrappedGenericHandler(handler, self._pipeline) for handler in handlers]
        )

    def add_registered_method_handlers(
        self, service_name: str, handlers: Mapping[str, grpc.RpcMethodHandler[Any, Any]]
    ) -> None:
        self.service_names.append(service_name)
        self._server.add_registered_method_handlers(
            service_name,
            {
                name: self._pipeline.wrap(f"/{service_name}/{name}", handler)
                for name, handler in handlers.items()
            },
        )


class _WrappedGenericHandler(grpc.GenericRpcHandler):
    def __init__(self, inner: grpc.GenericRpcHandler, pipeline: RpcPipeline) -> None:
        self._inner = inner
        self._pipeline = pipeline
        self._wrapped: dict[str, grpc.RpcMethodHandler[Any, Any] | None] = {}

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> Any:
        method: str = handler_call_details.method
        if method not in self._wrapped:
            handler = self._inner.service(handler_call_details)
            self._wrapped[method] = self._pipeline.wrap(method, handler) if handler else None
        return self._wrapped[method]
