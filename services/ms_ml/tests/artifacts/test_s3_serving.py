"""With ARTIFACT_STORE=s3 the service keeps its artifacts in the bucket and serves from them:
an uploaded model registered, deployed and answering, all through the S3 API (moto's server)."""

from __future__ import annotations

import uuid
from pathlib import Path

import aioboto3  # type: ignore[import-untyped]
from knowledge_kit.api import PageTokens
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.config import Settings
from ms_ml.domain.inference import PredictionInput
from ms_ml.main import artifact_store, ml_parts

from ..support import ADMIN, linear, model, version


async def test_a_model_in_an_s3_bucket_is_registered_deployed_and_served(
    s3_endpoint: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    bucket = f"models-{uuid.uuid4().hex[:12]}"
    async with aioboto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    ).client("s3", endpoint_url=s3_endpoint) as s3:
        await s3.create_bucket(Bucket=bucket)
    settings = Settings(
        artifact_store="s3",
        s3_bucket=bucket,
        s3_prefix="ml/",
        s3_endpoint_url=s3_endpoint,
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
        artifact_cache_dir=str(tmp_path / "cache"),
    )
    store = artifact_store(settings)
    ml = ml_parts(settings, sessions, Outbox("ms_ml"), store, PageTokens(b"tests"))
    try:
        ranker = await model(ml, "ranker")
        registered = await version(ml, ranker, linear([2.0], bias=1.0))
        deployment = await ml.deployments.create(ranker, "serving", (), registered.name, 1, ADMIN)

        scores, routed = await ml.inference.predict(
            deployment.name, "k", [PredictionInput(features=(3.0,))]
        )

        assert (scores, routed.model_version) == ([7.0], registered.name)
        async with aioboto3.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
        ).client("s3", endpoint_url=s3_endpoint) as s3:
            listed = await s3.list_objects_v2(Bucket=bucket)
        assert [item["Key"] for item in listed["Contents"]] == [f"ml/sha256/{registered.sha256}"]
    finally:
        await store.close()
