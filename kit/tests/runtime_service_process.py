"""A service on the kit's runtime, run as a real process the way a service's `__main__` runs it.

Run as `python -m tests.runtime_service_process` from kit/; settings come from MS_SAMPLE_*.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from knowledge_kit.runtime import ServiceContext, ServiceParts, run_service
from knowledge_kit.settings import ServiceSettings, SettingsError

from .echo_service import EchoServicer, add_EchoServicer_to_server

MIGRATIONS = Path(__file__).parent / "sample_migrations"


class SampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MS_SAMPLE_", frozen=True)

    service_name: str = "ms_sample"


async def sample_parts(context: ServiceContext[SampleSettings]) -> ServiceParts:
    assert context.sessions, "the runtime migrated the database before building the parts"
    return ServiceParts(servicers=[(add_EchoServicer_to_server, EchoServicer())])


async def serve() -> None:
    await run_service(SampleSettings, sample_parts, migrations=MIGRATIONS)


if __name__ == "__main__":
    try:
        asyncio.run(serve())
    except SettingsError as error:
        sys.exit(f"ms_sample: {error}")
