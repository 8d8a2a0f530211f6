"""Runs the echo service as a real process, the way a service's main.py does (shutdown tests).

Run as `python -m tests.echo_server_process` from kit/; settings come from ECHO_* variables.
"""

from __future__ import annotations

import asyncio

from pydantic_settings import SettingsConfigDict

from knowledge_kit.observability import configure_logging
from knowledge_kit.rpc import ServiceServer
from knowledge_kit.settings import ServiceSettings, load_settings

from .echo_service import EchoServicer, add_EchoServicer_to_server


class EchoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ECHO_", frozen=True, extra="ignore")


async def main() -> None:
    settings = load_settings(EchoSettings)
    configure_logging(settings.service_name)
    server = ServiceServer(settings)
    server.add_servicer(add_EchoServicer_to_server, EchoServicer())
    await server.serve()


if __name__ == "__main__":
    asyncio.run(main())
