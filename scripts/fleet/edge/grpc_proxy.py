"""gRPC-web in, gRPC out: one upstream call per browser request, server streams relayed live."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import cast

import grpc
from aiohttp import web

from fleet.edge import grpc_web
from fleet.edge.cors import cors_headers
from fleet.edge.metadata import as_text_pairs, request_metadata, timeout_seconds


class GrpcUpstreams:
    """One reusable channel per upstream address, picked by the called method's package."""

    def __init__(self, routes: Mapping[str, str]) -> None:
        self._routes = dict(routes)
        self._channels: dict[str, grpc.aio.Channel] = {}

    def channel_for(self, method_path: str) -> grpc.aio.Channel | None:
        service = method_path.strip("/").split("/", 1)[0]
        package = service.rsplit(".", 1)[0]
        address = self._routes.get(package)
        if address is None:
            return None
        if address not in self._channels:
            self._channels[address] = grpc.aio.insecure_channel(address)
        return self._channels[address]

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()


class GrpcWebProxy:
    def __init__(self, upstreams: GrpcUpstreams) -> None:
        self._upstreams = upstreams

    async def handle(self, request: web.Request) -> web.StreamResponse:
        content_type = request.headers.get("Content-Type", "")
        if not grpc_web.is_grpc_web(content_type):
            return web.Response(
                status=415, text=f"expected a gRPC-web content type, got '{content_type}'\n"
            )
        text = grpc_web.is_text_mode(content_type)
        headers = {
            "Content-Type": "application/grpc-web-text+proto"
            if text
            else "application/grpc-web+proto",
            **cors_headers(request),
        }
        channel = self._upstreams.channel_for(request.path)
        if channel is None:
            return await _status_only(
                request,
                headers,
                grpc.StatusCode.UNIMPLEMENTED,
                f"no service behind this edge serves {request.path}",
                text,
            )
        try:
            message = grpc_web.decode_request(await request.read(), text=text)
            timeout = timeout_seconds(request.headers.get("grpc-timeout"))
        except ValueError as exc:
            return await _status_only(
                request, headers, grpc.StatusCode.INVALID_ARGUMENT, str(exc), text
            )
        peer = request.remote
        # No (de)serializers: the edge relays the browser's bytes without knowing the schema.
        relay = cast(
            "grpc.aio.UnaryStreamMultiCallable[bytes, bytes]", channel.unary_stream(request.path)
        )
        call = relay(message, metadata=request_metadata(request.headers, peer), timeout=timeout)
        return await _relay(request, headers, call, text)


async def _relay(
    request: web.Request,
    headers: dict[str, str],
    call: grpc.aio.UnaryStreamCall[bytes, bytes],
    text: bool,
) -> web.StreamResponse:
    response = web.StreamResponse(status=200, headers=headers)
    try:
        try:
            initial = await call.initial_metadata()
        except grpc.aio.AioRpcError:
            initial = None
        for key, value in as_text_pairs(initial):
            response.headers.add(key, value)
        await response.prepare(request)
        try:
            async for message in call:
                await response.write(grpc_web.message_frame(message, text=text))
            code = await call.code()
            details: str | None = await call.details()
            trailing: grpc.aio.Metadata | None = await call.trailing_metadata()
        except grpc.aio.AioRpcError as error:
            code, details, trailing = error.code(), error.details(), error.trailing_metadata()
        await response.write(grpc_web.trailer_frame(_trailers(code, details, trailing), text=text))
        await response.write_eof()
        return response
    finally:
        # The browser went away (or the relay failed): do not leave the upstream stream open.
        with contextlib.suppress(Exception):
            call.cancel()


def _trailers(
    code: grpc.StatusCode, details: str | None, trailing: grpc.aio.Metadata | None
) -> list[tuple[str, str]]:
    trailers = [("grpc-status", str(code.value[0]))]
    if details:
        trailers.append(("grpc-message", _percent_encode(details)))
    trailers.extend(as_text_pairs(trailing))
    return trailers


async def _status_only(
    request: web.Request, headers: dict[str, str], code: grpc.StatusCode, message: str, text: bool
) -> web.StreamResponse:
    """A trailers-only answer: the call failed before reaching (or without) an upstream."""
    response = web.StreamResponse(status=200, headers=headers)
    response.headers["grpc-status"] = str(code.value[0])
    response.headers["grpc-message"] = _percent_encode(message)
    await response.prepare(request)
    await response.write(grpc_web.trailer_frame(_trailers(code, message, None), text=text))
    await response.write_eof()
    return response


def _percent_encode(message: str) -> str:
    """grpc-message is percent-encoded UTF-8 (the gRPC HTTP/2 spec)."""
    return "".join(
        chr(byte) if 0x20 <= byte <= 0x7E and byte != 0x25 else f"%{byte:02X}"
        for byte in message.encode()
    )
