"""The registry under concurrency and a canary's split, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/ml_registry_concurrency.py [--promotions 50] [--keys 10000]

PostgreSQL is used when KNOWLEDGE_TEST_POSTGRES_URL names a server (`fleet infra up`), each run
in a throwaway database; SQLite always, in a temporary file. ms_ml's use cases run in this
process as the composition root wires them (local artifact store, the outbox recording events).

- promotions: N versions of one model, then N SetModelAlias calls for the same alias at once,
  each to another version. Printed: holders of the alias afterwards (must be 1), transitions
  recorded (must be N), whether they form one chain (each move replaced the holder the previous
  move left), and the wall time.
- canary: a deployment sending 10% to a canary and 90% to the stable version; the share of
  `--keys` distinct request keys routed to the canary (must be within 8-12%).
- rollback: the deployment moved to the canary alone, then rolled back; printed: the version the
  very next request gets (must be the stable one) and the rollback's own time.

Measured (2 cores shared with other work, load average 26 at start, 23 at end; 50 promotions,
10,000 keys):

    sqlite      promotions: 1 holder, 50 transitions, one chain: True, 1.90 s
                canary: 10.54% of 10,000 keys; rollback: next request by versions/1, 31 ms
    postgresql  promotions: 1 holder, 50 transitions, one chain: True, 5.08 s
                canary: 10.54% of 10,000 keys; rollback: next request by versions/1, 21 ms

The canary's share is the same on both: a key's slot is a hash of the deployment's name and the
key, nothing else. PostgreSQL's promotions take longer here: each UPDATE that lost to another
waits for that transaction's commit before trying again, on a machine this loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import itertools
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

from knowledge_kit.api import PageTokens
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events import Outbox
from knowledge_kit.testing.infrastructure import throwaway_database
from ms_ml.adapters.local_artifacts import LocalArtifactStore
from ms_ml.config import Settings
from ms_ml.domain.deployments import TrafficSplit
from ms_ml.domain.models import VersionDraft
from ms_ml.main import MIGRATIONS, MlParts, ml_parts
from ms_ml.service.registry import ModelFields

ACTOR = "serviceAccounts/benchmark"


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _version(parts: MlParts, model: str, weight: float) -> str:
    data = json.dumps({"weights": [weight]}).encode()
    sha256 = hashlib.sha256(data).hexdigest()
    await parts.artifacts.upload(_chunks(data), size_bytes=len(data), sha256=sha256)
    draft = VersionDraft(sha256=sha256, size_bytes=len(data), format="linear-json")
    return (await parts.registry.create_version(model, draft, ACTOR)).name


async def run(kind: str, url: str, directory: Path, options: argparse.Namespace) -> None:
    await upgrade_database(url, MIGRATIONS)
    engine = create_database_engine(url)
    settings = Settings(database_url=url, artifact_dir=str(directory / kind))
    store = LocalArtifactStore(Path(settings.artifact_dir), max_bytes=settings.artifact_max_bytes)
    parts = ml_parts(settings, session_factory(engine), Outbox("ms_ml"), store, PageTokens(b"b"))
    model = (await parts.registry.create_model("ranker", ModelFields(), ACTOR)).name
    versions = [await _version(parts, model, float(n)) for n in range(options.promotions)]

    started = time.perf_counter()
    await asyncio.gather(
        *(
            parts.promotions.set_alias(f"{model}/aliases/champion", version, "", ACTOR)
            for version in versions
        )
    )
    elapsed = time.perf_counter() - started
    moves = (await parts.promotions.list_transitions(model, "", "champion", 200, "")).items
    holders = [v for v in versions if "champion" in (await parts.registry.get_version(v)).aliases]
    chain = all(b.previous_model_version == a.model_version for a, b in itertools.pairwise(moves))
    print(
        f"{kind:11} promotions: {len(holders)} holder, {len(moves)} transitions, "
        f"one chain: {chain}, {elapsed:.2f} s"
    )

    stable, canary = versions[0], versions[1]
    deployment = await parts.deployments.create(
        model,
        "serving",
        (TrafficSplit(canary, "", 10), TrafficSplit(stable, "", 90)),
        "",
        1,
        ACTOR,
    )
    routed = Counter(
        [
            (await parts.inference.route(deployment.name, f"user-{key}")).model_version
            for key in range(options.keys)
        ]
    )
    await parts.deployments.update(
        deployment.name,
        frozenset({"model_version"}),
        traffic=(),
        model_version=canary,
        replicas=0,
        etag="",
        reason="all in",
        actor=ACTOR,
    )
    started = time.perf_counter()
    await parts.deployments.rollback(deployment.name, 0, "", ACTOR)
    rolled = time.perf_counter() - started
    answered = (await parts.inference.route(deployment.name, "user-1")).model_version
    print(
        f"{'':11} canary: {routed[canary] / options.keys:.2%} of {options.keys:,} keys; "
        f"rollback: next request by {answered.split('/', 2)[2]}, {rolled * 1000:.0f} ms"
    )
    await engine.dispose()


async def main(options: argparse.Namespace) -> None:
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as directory:
        await run("sqlite", f"sqlite+aiosqlite:///{directory}/ml.db", Path(directory), options)
        postgres = os.environ.get("KNOWLEDGE_TEST_POSTGRES_URL")
        if postgres:
            async with throwaway_database(postgres, "ml_bench") as url:
                await run("postgresql", url, Path(directory), options)
        else:
            print("postgresql  skipped: KNOWLEDGE_TEST_POSTGRES_URL is not set")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--promotions", type=int, default=50)
    parser.add_argument("--keys", type=int, default=10_000)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parser.parse_args()))
