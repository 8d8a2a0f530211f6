"""Both artifact stores keep only bytes that are what the upload declared, refuse uploads past
their limit without keeping anything, and never hand out bytes that no longer hash to their
name."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aioboto3  # type: ignore[import-untyped]
import pytest
import pytest_asyncio

from ms_ml.adapters.local_artifacts import LocalArtifactStore
from ms_ml.adapters.s3_artifacts import S3ArtifactStore
from ms_ml.domain.artifacts import (
    ArtifactCorrupt,
    ArtifactMismatch,
    ArtifactStore,
    ArtifactTooLarge,
)

from ..support import chunks_of

LIMIT = 3 * 1024 * 1024
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@pytest_asyncio.fixture(params=["local", "s3"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[ArtifactStore, str]]:
    if request.param == "local":
        yield LocalArtifactStore(tmp_path / "artifacts", max_bytes=LIMIT), str(tmp_path)
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"artifacts-{uuid.uuid4().hex[:12]}"
    async with aioboto3.Session(**CREDENTIALS, region_name="us-east-1").client(
        "s3", endpoint_url=endpoint
    ) as s3:
        await s3.create_bucket(Bucket=bucket)
    s3_store = S3ArtifactStore(
        bucket=bucket,
        cache=tmp_path / "cache",
        max_bytes=LIMIT,
        endpoint_url=endpoint,
        region="us-east-1",
        access_key_id="test",
        secret_access_key="test",
    )
    yield s3_store, bucket
    await s3_store.close()


def blob(size: int) -> bytes:
    return bytes((index * 31 + 7) % 251 for index in range(size))


async def test_bytes_come_back_verified_and_whole(store: tuple[ArtifactStore, str]) -> None:
    artifacts, _ = store
    data = blob(LIMIT - 10)  # more than one 1 MiB chunk, and on S3 one multipart part
    sha256 = hashlib.sha256(data).hexdigest()

    stored = await artifacts.put(chunks_of(data), size_bytes=len(data), sha256=sha256)

    assert (stored.sha256, stored.size_bytes) == (sha256, len(data))
    assert await artifacts.size_of(sha256) == len(data)
    assert (await artifacts.verified_file(sha256)).read_bytes() == data
    assert b"".join([chunk async for chunk in artifacts.read(sha256, offset=100)]) == data[100:]


async def test_an_upload_over_the_limit_is_refused_and_nothing_is_kept(
    store: tuple[ArtifactStore, str],
) -> None:
    artifacts, _ = store
    data = blob(LIMIT + 1)
    sha256 = hashlib.sha256(data).hexdigest()

    with pytest.raises(ArtifactTooLarge) as declared:
        await artifacts.put(chunks_of(data), size_bytes=2 * 1024**3, sha256=sha256)
    assert declared.value.violations[0].field == "header.size_bytes"
    # Declaring less than is sent is caught as the bytes arrive, not after buffering them.
    with pytest.raises(ArtifactMismatch):
        await artifacts.put(chunks_of(data), size_bytes=LIMIT, sha256=sha256)
    assert await artifacts.size_of(sha256) is None


async def test_bytes_that_are_not_the_declared_ones_are_refused(
    store: tuple[ArtifactStore, str],
) -> None:
    artifacts, _ = store
    data = blob(5000)
    wrong = hashlib.sha256(b"something else").hexdigest()

    with pytest.raises(ArtifactMismatch) as mismatch:
        await artifacts.put(chunks_of(data), size_bytes=len(data), sha256=wrong)
    assert mismatch.value.violations[0].field == "header.sha256"
    with pytest.raises(ArtifactMismatch) as truncated:
        await artifacts.put(
            chunks_of(data[:4000]), size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest()
        )
    assert truncated.value.violations[0].field == "header.size_bytes"
    assert await artifacts.size_of(wrong) is None
    assert await artifacts.size_of(hashlib.sha256(data).hexdigest()) is None


async def test_stored_bytes_that_changed_are_refused_on_load(
    store: tuple[ArtifactStore, str], tmp_path: Path, s3_endpoint: str
) -> None:
    artifacts, where = store
    data = blob(5000)
    sha256 = hashlib.sha256(data).hexdigest()
    await artifacts.put(chunks_of(data), size_bytes=len(data), sha256=sha256)

    corrupt = data[:-1] + b"\x00"
    if isinstance(artifacts, LocalArtifactStore):
        artifacts.path_of(sha256).write_bytes(corrupt)
    else:
        assert isinstance(artifacts, S3ArtifactStore)
        async with aioboto3.Session(**CREDENTIALS, region_name="us-east-1").client(
            "s3", endpoint_url=s3_endpoint
        ) as s3:
            await s3.put_object(Bucket=where, Key=artifacts.key_of(sha256), Body=corrupt)

    with pytest.raises(ArtifactCorrupt, match="is corrupt"):
        await artifacts.verified_file(sha256)


async def broken_after(data: bytes, sent: int) -> AsyncIterator[bytes]:
    """The first `sent` bytes of `data`, then the stream breaks (a client gone midway)."""
    async for chunk in chunks_of(data[:sent]):
        yield chunk
    raise ConnectionResetError("the client went away")


async def leftovers(artifacts: ArtifactStore, where: str, s3_endpoint: str) -> list[str]:
    """Partial uploads the store still holds: files being written, unfinished multipart
    uploads."""
    if isinstance(artifacts, LocalArtifactStore):
        return [path.name for path in (Path(where) / "artifacts" / "incoming").iterdir()]
    async with aioboto3.Session(**CREDENTIALS, region_name="us-east-1").client(
        "s3", endpoint_url=s3_endpoint
    ) as s3:
        listed = await s3.list_multipart_uploads(Bucket=where)
    return [upload["Key"] for upload in listed.get("Uploads", [])]


async def test_an_upload_whose_stream_breaks_midway_leaves_nothing_behind(
    store: tuple[ArtifactStore, str], s3_endpoint: str
) -> None:
    artifacts, where = store
    data = blob(LIMIT - 10)  # on S3, past the first part
    sha256 = hashlib.sha256(data).hexdigest()

    with pytest.raises(ConnectionResetError):
        await artifacts.put(broken_after(data, len(data) // 2), size_bytes=len(data), sha256=sha256)

    assert await artifacts.size_of(sha256) is None
    assert await leftovers(artifacts, where, s3_endpoint) == []
    # The same bytes sent again, whole, are taken.
    await artifacts.put(chunks_of(data), size_bytes=len(data), sha256=sha256)
    assert (await artifacts.verified_file(sha256)).read_bytes() == data


async def test_two_uploads_of_the_same_bytes_at_once_both_succeed_and_keep_one_whole_copy(
    store: tuple[ArtifactStore, str], s3_endpoint: str
) -> None:
    artifacts, where = store
    data = blob(2 * 1024 * 1024 + 5)
    sha256 = hashlib.sha256(data).hexdigest()

    async def slowly() -> AsyncIterator[bytes]:
        async for chunk in chunks_of(data):
            await asyncio.sleep(0)  # the two uploads' chunks interleave
            yield chunk

    first, second = await asyncio.gather(
        artifacts.put(slowly(), size_bytes=len(data), sha256=sha256),
        artifacts.put(slowly(), size_bytes=len(data), sha256=sha256),
    )

    assert first == second
    assert await artifacts.size_of(sha256) == len(data)
    assert (await artifacts.verified_file(sha256)).read_bytes() == data
    assert await leftovers(artifacts, where, s3_endpoint) == []


async def test_an_upload_cancelled_midway_leaves_nothing_behind(
    store: tuple[ArtifactStore, str], s3_endpoint: str
) -> None:
    """What a gRPC handler sees of a client that cancels its call: the task is cancelled."""
    artifacts, where = store
    data = blob(LIMIT - 10)
    sha256 = hashlib.sha256(data).hexdigest()
    half_sent = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        async for chunk in chunks_of(data[: len(data) // 2]):
            yield chunk
        half_sent.set()
        await asyncio.sleep(3600)
        yield b""

    upload = asyncio.create_task(artifacts.put(stalled(), size_bytes=len(data), sha256=sha256))
    await half_sent.wait()
    upload.cancel()

    with pytest.raises(asyncio.CancelledError):
        await upload
    assert await artifacts.size_of(sha256) is None
    assert await leftovers(artifacts, where, s3_endpoint) == []
