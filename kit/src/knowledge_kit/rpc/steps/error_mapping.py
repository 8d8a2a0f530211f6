"""MapErrors: every exception leaves the server as the status `errors.rpc_status_for` chose."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import structlog

from knowledge_kit.errors import rpc_status_for
from knowledge_kit.rpc.call import RpcCall
from knowledge_kit.rpc.pipeline import Proceed

_log = structlog.get_logger("knowledge_kit.rpc")


class MapErrors:
    """Domain errors become their status; a dependency that is down is one warning line and
    UNAVAILABLE; anything unexpected is logged here with its traceback and reaches the client as
    INTERNAL with no detail."""

    async def __call__(self, call: RpcCall, proceed: Proceed) -> Any:
        try:
            return await proceed(call)
        except BaseException as error:
            await end_with_status_of(call, error)


async def end_with_status_of(call: RpcCall, error: BaseException) -> None:
    """End `call`, which raised `error`, with its status (always raises): an abort keeps the
    status the handler aborted with, a cancellation is CANCELLED, any other exception is mapped
    (`abort_with_status_of`); anything else (KeyboardInterrupt, SystemExit) goes on as it is.
    Only a failing RPC runs this: the steps' `try` costs nothing on the way through."""
    if isinstance(error, grpc.aio.AbortError):
        call.status = call.context.code() or grpc.StatusCode.UNKNOWN
    elif isinstance(error, asyncio.CancelledError):
        call.status = grpc.StatusCode.CANCELLED
    elif isinstance(error, Exception):
        await abort_with_status_of(call, error)
    raise error


async def abort_with_status_of(call: RpcCall, error: Exception) -> None:
    """End `call` with the status `error` maps to (raises grpc's AbortError), logging what
    needs a line: an unexpected error with its traceback, a dependency that is down."""
    status = rpc_status_for(error)
    call.status = status.code
    if status.code is grpc.StatusCode.INTERNAL:
        _log.exception("rpc_failed", method=call.method, request_id=call.request_id)
    elif status.code is grpc.StatusCode.UNAVAILABLE:
        _log.warning(
            "rpc_dependency_unavailable",
            method=call.method,
            request_id=call.request_id,
            reason=status.message,
        )
    await call.context.abort(
        status.code, status.message, trailing_metadata=status.trailing_metadata
    )
