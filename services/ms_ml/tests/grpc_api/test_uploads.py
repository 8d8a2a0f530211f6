"""UploadArtifact as clients break it: a client gone midway leaves no partial file and nothing
registered, and two clients uploading the same bytes at once both get the one artifact. (A
declared size past the limit is refused before any byte is read: test_ml_rpc.)"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import grpc
import pytest
from knowledge.ml.v1 import artifact_service_pb2 as artifacts_pb
from knowledge.ml.v1 import artifact_service_pb2_grpc

from ms_ml.adapters.local_artifacts import LocalArtifactStore
from ms_ml.config import Settings

from .conftest import admin
from .registry_calls import upload_requests

DATA = bytes(range(256)) * 4096  # 1 MiB, 16 chunks


async def test_a_client_gone_midway_leaves_no_partial_file_and_nothing_registered(
    channel: grpc.aio.Channel,
    mint_token: Callable[..., str],
    store: LocalArtifactStore,
    settings: Settings,
) -> None:
    artifacts = artifact_service_pb2_grpc.ArtifactServiceStub(channel)
    sha256 = hashlib.sha256(DATA).hexdigest()
    half_sent = asyncio.Event()

    async def then_gone() -> AsyncIterator[artifacts_pb.UploadArtifactRequest]:
        sent = 0
        async for request in upload_requests(DATA):
            yield request
            sent += len(request.chunk)
            if sent >= len(DATA) // 2:
                half_sent.set()
                await asyncio.sleep(3600)  # the client stalls, and is then cancelled

    call = artifacts.UploadArtifact(then_gone(), metadata=admin(mint_token))
    await half_sent.wait()
    incoming = Path(settings.artifact_dir) / "incoming"
    await until(lambda: any(incoming.iterdir()))  # the server is writing it
    call.cancel()

    with pytest.raises(asyncio.CancelledError):
        await call
    await until(lambda: not any(incoming.iterdir()))
    assert await store.size_of(sha256) is None
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await artifacts.GetArtifact(
            artifacts_pb.GetArtifactRequest(name=f"artifacts/{sha256}"), metadata=admin(mint_token)
        )
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND


async def test_two_clients_uploading_the_same_bytes_at_once_get_the_one_artifact(
    channel: grpc.aio.Channel, mint_token: Callable[..., str], store: LocalArtifactStore
) -> None:
    artifacts = artifact_service_pb2_grpc.ArtifactServiceStub(channel)
    who = admin(mint_token)

    first, second = await asyncio.gather(
        artifacts.UploadArtifact(upload_requests(DATA), metadata=who),
        artifacts.UploadArtifact(upload_requests(DATA), metadata=who),
    )

    assert first.artifact == second.artifact
    assert first.artifact.name == f"artifacts/{hashlib.sha256(DATA).hexdigest()}"
    assert first.artifact.size_bytes == len(DATA)
    assert store.path_of(hashlib.sha256(DATA).hexdigest()).read_bytes() == DATA


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Polls `condition`: what the server does to its files shows in no event here."""
    async with asyncio.timeout(seconds):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)
