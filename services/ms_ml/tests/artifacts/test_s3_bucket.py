"""The artifact bucket is created at start when it is missing; credentials that may not create it
stop the start with an error naming the bucket (moto's S3 server, its IAM checks switched on for
that case)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aioboto3  # type: ignore[import-untyped]
import pytest
from moto import settings as moto_settings

from ms_ml.adapters.s3_artifacts import S3ArtifactStore
from ms_ml.domain.artifacts import ArtifactStoreUnavailable

from ..support import chunks_of

REGION = "us-east-1"
ROOT = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
# Reads and writes objects and lists buckets, but may not create one.
OBJECTS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetObject", "s3:PutObject"],
            "Resource": "*",
        }
    ],
}


def store(endpoint: str, bucket: str, cache: Path, key: str, secret: str) -> S3ArtifactStore:
    return S3ArtifactStore(
        bucket=bucket,
        cache=cache,
        max_bytes=1024 * 1024,
        endpoint_url=endpoint,
        region=REGION,
        access_key_id=key,
        secret_access_key=secret,
    )


async def bucket_names(endpoint: str) -> list[str]:
    async with aioboto3.Session(**ROOT, region_name=REGION).client(
        "s3", endpoint_url=endpoint
    ) as s3:
        return [bucket["Name"] for bucket in (await s3.list_buckets())["Buckets"]]


async def test_a_missing_bucket_is_created_at_start_and_holds_what_is_uploaded(
    s3_endpoint: str, tmp_path: Path
) -> None:
    bucket = f"created-{uuid.uuid4().hex[:12]}"
    artifacts = store(s3_endpoint, bucket, tmp_path, "test", "test")
    data = b"the weights"
    try:
        await artifacts.open()
        await artifacts.open()  # a second start (or instance) finds it there
        await artifacts.put(
            chunks_of(data), size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest()
        )
    finally:
        await artifacts.close()

    assert bucket in await bucket_names(s3_endpoint)


@pytest.fixture
async def objects_only_keys(s3_endpoint: str) -> AsyncIterator[tuple[str, str]]:
    """An IAM user's keys that may use objects but not create buckets."""
    user = f"ml-{uuid.uuid4().hex[:8]}"
    async with aioboto3.Session(**ROOT, region_name=REGION).client(
        "iam", endpoint_url=s3_endpoint
    ) as iam:
        await iam.create_user(UserName=user)
        await iam.put_user_policy(
            UserName=user, PolicyName="objects-only", PolicyDocument=json.dumps(OBJECTS_ONLY)
        )
        keys = (await iam.create_access_key(UserName=user))["AccessKey"]
    yield keys["AccessKeyId"], keys["SecretAccessKey"]


async def test_credentials_that_may_not_create_the_missing_bucket_stop_the_start_naming_it(
    s3_endpoint: str,
    tmp_path: Path,
    objects_only_keys: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket = f"forbidden-{uuid.uuid4().hex[:12]}"
    artifacts = store(s3_endpoint, bucket, tmp_path, *objects_only_keys)
    monkeypatch.setattr(moto_settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # IAM is checked
    try:
        with pytest.raises(ArtifactStoreUnavailable) as refused:
            await artifacts.open()
    finally:
        await artifacts.close()
        monkeypatch.undo()

    message = str(refused.value)
    assert f"the artifact bucket {bucket!r}" in message
    assert "may not create it (CreateBucket answered AccessDenied)" in message
    assert bucket not in await bucket_names(s3_endpoint)
