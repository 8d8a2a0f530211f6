"""Registering servicers so that each method handler is wrapped by the pipeline exactly once.

Methods are served from one table, a single generic handler, not registered with grpc.aio one by
one: grpc.aio's server keeps a pending request per registered method and waits on all of them
(`asyncio.wait`) for every RPC it accepts, so each registered method (health, reflection and the
service's own) added a done-callback, a set entry and a type check to every RPC of the server.
With the table there is one pending request, and finding a method is one dict lookup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import grpc

from knowledge_kit.rpc.call import note_lookup
from knowledge_kit.rpc.pipeline import RpcPipeline


class MethodTable(grpc.GenericRpcHandler):
    """The wrapped handlers of a server by full method name (`/pkg.Service/Method`)."""

    def __init__(self) -> None:
        self.handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler = self.handlers.get(handler_call_details.method)
        if handler is not None:
            note_lookup(handler_call_details)
        return handler


class WrappingRegistrar:
    """Stands in for the server when generated `add_*Servicer_to_server` functions run."""

    def __init__(
        self, server: grpc.aio.Server, pipeline: RpcPipeline, table: MethodTable | None = None
    ) -> None:
        self._server = server
        self._pipeline = pipeline
        if table is None:
            table = MethodTable()
            server.add_generic_rpc_handlers((table,))
        self._table = table
        self.service_names: list[str] = []

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(
            [_WrappedGenericHandler(handler, self._pipeline) for handler in handlers]
        )

    def add_registered_method_handlers(
        self, service_name: str, handlers: Mapping[str, grpc.RpcMethodHandler[Any, Any]]
    ) -> None:
        self.service_names.append(service_name)
        for name, handler in handlers.items():
            method = f"/{service_name}/{name}"
            self._table.handlers[method] = self._pipeline.wrap(method, handler)


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
        wrapped = self._wrapped[method]
        if wrapped is not None:
            note_lookup(handler_call_details)
        return wrapped
