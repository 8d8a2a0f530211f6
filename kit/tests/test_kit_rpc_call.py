"""What each RPC's call holds: the client's own metadata and principal, however many RPCs run at
once, and a request id of its own when the client sent none."""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any

import grpc
from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.rpc.call import RpcCall
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import SERVICE, EchoServicer, add_EchoServicer_to_server, echo_stub


async def test_rpcs_in_flight_together_each_see_their_own_metadata_and_principal(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    servicer = EchoServicer()
    running = await start_grpc_server((add_EchoServicer_to_server, servicer))
    tokens = {name: jwks_endpoint.mint(name) for name in ("users/alice", "users/bob")}
    sent: dict[str, str] = {}

    async def one(index: int, echo: Any) -> None:
        name = "users/alice" if index % 2 else "users/bob"
        sent[f"req-{index}"] = f"Bearer {tokens[name]}"
        metadata = (
            ("authorization", f"Bearer {tokens[name]}"),
            ("x-request-id", f"req-{index}"),
        )
        reply = await echo(StringValue(value=str(index)), metadata=metadata, timeout=10)
        assert reply.value == f"{name}:{index}"

    async with grpc.aio.insecure_channel(running.target) as channel:
        echo = echo_stub(channel)
        await asyncio.gather(*(one(index, echo) for index in range(200)))

    seen = {
        metadata["x-request-id"]: metadata["authorization"] for metadata in servicer.seen_metadata
    }
    assert seen == sent


class _Context:
    """What `RpcCall` reads of a server context outside a server: the client's metadata."""

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return (("user-agent", "test"),)


def _request_ids(count: int) -> list[str]:
    return [RpcCall(f"/{SERVICE}/Echo", None, _Context()).request_id for _ in range(count)]  # type: ignore[arg-type]


def test_calls_without_a_request_id_get_distinct_ones_of_16_hex_digits() -> None:
    ids = _request_ids(5000)  # several batches of the ids made at once
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9a-f]{16}", request_id) for request_id in ids)


def test_a_forked_process_makes_request_ids_of_its_own() -> None:
    _request_ids(1)  # the parent holds ids made but not yet used
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.write(writing, " ".join(_request_ids(3)).encode())
        os._exit(0)
    os.close(writing)
    _, status = os.waitpid(child, 0)
    assert status == 0
    with os.fdopen(reading) as pipe:
        child_ids = set(pipe.read().split())
    assert len(child_ids) == 3
    assert not child_ids & set(_request_ids(3))
