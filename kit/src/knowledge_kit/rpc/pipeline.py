"""One wrapper per method, built at registration, running a chain of small steps per RPC.

grpc.aio server interceptors cost a Python round trip per layer per call; instead each method
handler is wrapped once when it is registered, and the steps compose into one coroutine chain.
"""

from __future__ import annotations

import inspect
import types
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import grpc

from knowledge_kit.rpc.call import RpcCall, set_current_call
from knowledge_kit.rpc.malformed import MalformedRequest, guarded_deserializer

Proceed = Callable[[RpcCall], Awaitable[Any]]


class RpcStep(Protocol):
    """One concern around every RPC: do something, `await proceed(call)`, do something after.

    A step with nothing to do after the call may be a plain method returning `proceed(call)`
    unawaited: one coroutine fewer per RPC. A step may also have a `bind(proceed)` method
    returning what it does with `proceed` fixed, a function of the call alone: the pipeline then
    calls that, one Python frame fewer per step and RPC than calling the step with `proceed`
    (the kit's own steps do, as `BindingStep`s)."""

    def __call__(self, call: RpcCall, proceed: Proceed) -> Awaitable[Any]: ...


class BindingStep(ABC):
    """A step written as `bind(proceed)` (see `RpcStep`); called with `proceed`, as a step is
    when used alone, it binds and runs at once."""

    def __call__(self, call: RpcCall, proceed: Proceed) -> Awaitable[Any]:
        return self.bind(proceed)(call)

    @abstractmethod
    def bind(self, proceed: Proceed) -> Proceed:
        """What the step does around `proceed`, as a function of the call alone."""


def compose(steps: Sequence[RpcStep], innermost: Proceed) -> Proceed:
    """`steps[0]` runs outermost, the handler innermost."""
    proceed = innermost
    for step in reversed(steps):
        proceed = _bind(step, proceed)
    return proceed


def _bind(step: RpcStep, proceed: Proceed) -> Proceed:
    bind: Callable[[Proceed], Proceed] | None = getattr(step, "bind", None)
    if bind is not None:
        return bind(proceed)
    # A closure calling the step's own `__call__` function, not a wrapper coroutine and not a
    # partial with `proceed=` bound: the interpreter runs a Python function called from Python
    # in the frame loop it is in, while a partial copies its keywords into a dict and starts a
    # loop of its own on every call (a third of the cost through the kit's four steps).
    run = step.__call__ if type(type(step).__call__) is types.FunctionType else step

    def bound(call: RpcCall) -> Awaitable[Any]:
        return run(call, proceed)

    return bound


class RpcPipeline:
    """Wraps method handlers so every RPC runs through `steps`."""

    def __init__(self, steps: Sequence[RpcStep]) -> None:
        self.steps = list(steps)

    def wrap(
        self, method: str, handler: grpc.RpcMethodHandler[Any, Any]
    ) -> grpc.RpcMethodHandler[Any, Any]:
        """A handler for `method` running the steps around `handler`'s behavior."""
        streaming_response = handler.response_streaming
        behavior = _behavior_of(handler)
        chain = compose(self.steps, _innermost(behavior, streaming_response))
        # The same steps refuse a request that did not parse: it is logged, counted and traced
        # like any other refusal.
        refuse = compose(self.steps, _refuse_malformed)

        async def handle(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            call = RpcCall(method, request, context)
            set_current_call(call)
            if type(request) is MalformedRequest:
                return await refuse(call)
            return await chain(call)

        factory = _HANDLER_FACTORIES[(handler.request_streaming, streaming_response)]
        return factory(
            handle,
            request_deserializer=guarded_deserializer(
                handler.request_deserializer, handler.request_streaming
            ),
            response_serializer=handler.response_serializer,
        )


async def _refuse_malformed(call: RpcCall) -> None:
    raise call.request.error()


def _behavior_of(handler: grpc.RpcMethodHandler[Any, Any]) -> Callable[..., Any]:
    behavior = (
        handler.unary_unary or handler.unary_stream or handler.stream_unary or handler.stream_stream
    )
    if behavior is None:
        raise ValueError("method handler has no behavior")
    return behavior


def _innermost(behavior: Callable[..., Any], streaming_response: bool) -> Proceed:
    if streaming_response and inspect.isasyncgenfunction(behavior):

        async def write_each(call: RpcCall) -> None:
            async for message in behavior(call.request, call.context):
                await call.context.write(message)

        return write_each

    def invoke(call: RpcCall) -> Awaitable[Any]:
        return behavior(call.request, call.context)  # type: ignore[no-any-return]

    return invoke


_HANDLER_FACTORIES: dict[tuple[bool, bool], Callable[..., grpc.RpcMethodHandler[Any, Any]]] = {
    (False, False): grpc.unary_unary_rpc_method_handler,
    (False, True): grpc.unary_stream_rpc_method_handler,
    (True, False): grpc.stream_unary_rpc_method_handler,
    (True, True): grpc.stream_stream_rpc_method_handler,
}
