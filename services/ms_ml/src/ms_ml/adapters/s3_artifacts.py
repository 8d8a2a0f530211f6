"""Artifacts in S3-compatible object storage (aioboto3): `<prefix>sha256/<sha256>` in one bucket.

The bucket is created at start when it is missing; credentials that may neither see nor create
it stop the service with an error naming the bucket.

An upload is a multipart upload of the final key that is completed only once the bytes' size
and SHA-256 are the declared ones, and aborted otherwise, so a refused upload leaves no object.
At most one part (8 MiB) is held in memory. Loading downloads to a local cache file, hashing
on the way; bytes that do not hash to their key are refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aioboto3  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from ..domain.artifacts import (
    ArtifactCorrupt,
    ArtifactMissing,
    ArtifactStoreUnavailable,
    StoredArtifact,
)
from .intake import Intake

PART_BYTES = 8 * 1024 * 1024


class S3ArtifactStore:
    """Content-addressed objects in `bucket`, at most `max_bytes` each; `cache` holds verified
    local copies for loading."""

    def __init__(
        self,
        *,
        bucket: str,
        cache: Path,
        max_bytes: int,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        self._bucket = bucket
        self._prefix = prefix
        self._cache = cache
        self._max_bytes = max_bytes
        self._session = aioboto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self._endpoint_url = endpoint_url
        self._stack = AsyncExitStack()
        self._client: Any = None
        self._opening = asyncio.Lock()
        cache.mkdir(parents=True, exist_ok=True)

    def key_of(self, sha256: str) -> str:
        return f"{self._prefix}sha256/{sha256}"

    async def open(self) -> None:
        """The bucket, created when it does not exist (in the client's region)."""
        s3 = await self._s3()
        try:
            await s3.head_bucket(Bucket=self._bucket)
            return
        except ClientError as error:
            seen = _code(error)
            if seen not in {"404", "NoSuchBucket", "NotFound", "403", "AccessDenied"}:
                raise self._unavailable(f"HeadBucket answered {seen}") from error
        # Missing, or not visible to these credentials (S3 answers 403 for a bucket one may not
        # list, whether it exists or not): creating it tells which.
        region = s3.meta.region_name
        where = (
            {"CreateBucketConfiguration": {"LocationConstraint": region}}
            if region and region != "us-east-1"
            else {}
        )
        try:
            await s3.create_bucket(Bucket=self._bucket, **where)
        except ClientError as error:
            code = _code(error)
            if code == "BucketAlreadyOwnedByYou":  # another instance created it meanwhile
                return
            if code == "BucketAlreadyExists":
                raise self._unavailable(
                    "it belongs to another account, or these credentials may not list it"
                ) from error
            raise self._unavailable(
                f"it does not exist, or may not be seen ({seen}), and these credentials may not "
                f"create it (CreateBucket answered {code}): create it, or grant s3:CreateBucket"
            ) from error

    def _unavailable(self, why: str) -> ArtifactStoreUnavailable:
        where = f" at {self._endpoint_url}" if self._endpoint_url else ""
        return ArtifactStoreUnavailable(
            f"the artifact bucket {self._bucket!r}{where} cannot be used: {why}"
        )

    async def _s3(self) -> Any:
        async with self._opening:
            if self._client is None:
                self._client = await self._stack.enter_async_context(
                    self._session.client("s3", endpoint_url=self._endpoint_url)
                )
        return self._client

    async def put(
        self, chunks: AsyncIterator[bytes], *, size_bytes: int, sha256: str
    ) -> StoredArtifact:
        intake = Intake(size_bytes, sha256, limit=self._max_bytes)
        s3 = await self._s3()
        key = self.key_of(sha256)
        upload = await s3.create_multipart_upload(Bucket=self._bucket, Key=key)
        upload_id = upload["UploadId"]
        parts: list[dict[str, Any]] = []
        try:
            pending = bytearray()
            async for chunk in chunks:
                pending += intake.take(chunk)
                if len(pending) >= PART_BYTES:
                    parts.append(await self._part(s3, key, upload_id, len(parts) + 1, pending))
                    pending = bytearray()
            intake.finish()
            if pending or not parts:
                parts.append(await self._part(s3, key, upload_id, len(parts) + 1, pending))
            await s3.complete_multipart_upload(
                Bucket=self._bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            # Shielded: a handler cancelled again while aborting still leaves no upload behind.
            await asyncio.shield(
                s3.abort_multipart_upload(Bucket=self._bucket, Key=key, UploadId=upload_id)
            )
            raise
        return StoredArtifact(sha256, size_bytes)

    async def _part(
        self, s3: Any, key: str, upload_id: str, number: int, body: bytearray
    ) -> dict[str, Any]:
        answer = await s3.upload_part(
            Bucket=self._bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=bytes(body)
        )
        return {"ETag": answer["ETag"], "PartNumber": number}

    async def size_of(self, sha256: str) -> int | None:
        s3 = await self._s3()
        try:
            head = await s3.head_object(Bucket=self._bucket, Key=self.key_of(sha256))
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return int(head["ContentLength"])

    async def read(self, sha256: str, *, offset: int = 0) -> AsyncIterator[bytes]:
        s3 = await self._s3()
        extra = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            answer = await s3.get_object(Bucket=self._bucket, Key=self.key_of(sha256), **extra)
        except ClientError as error:
            if _missing(error):
                raise ArtifactMissing(sha256) from error
            raise
        body = answer["Body"]
        try:
            while chunk := await body.read(1024 * 1024):
                yield chunk
        finally:
            body.close()

    async def verified_file(self, sha256: str) -> Path:
        target = self._cache / sha256
        incoming = self._cache / f".{uuid.uuid4().hex}"
        digest = hashlib.sha256()
        try:
            with incoming.open("wb") as file:
                async for chunk in self.read(sha256):
                    digest.update(chunk)
                    await asyncio.to_thread(file.write, chunk)
            if digest.hexdigest() != sha256:
                raise ArtifactCorrupt(sha256, digest.hexdigest())
            incoming.replace(target)
        finally:
            incoming.unlink(missing_ok=True)
        return target

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "")) or "an error"


def _missing(error: ClientError) -> bool:
    return _code(error) in {"404", "NoSuchKey", "NotFound"}
