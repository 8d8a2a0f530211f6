"""Fuzz a whole server: every service it serves, found through its reflection, so a new service
or RPC is fuzzed without a line in the service's tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import grpc
from google.protobuf.message import Message

from knowledge_kit.testing.fuzz import FuzzReport, fuzz_service
from knowledge_kit.testing.served_methods import served_services


async def fuzz_server(
    channel: grpc.aio.Channel,
    *,
    metadata: Sequence[tuple[str, str]] = (),
    seeds: Mapping[str, Mapping[str, Message]] | None = None,
    budget_seconds: float = 16.0,
) -> dict[str, FuzzReport]:
    """`fuzz_service` over every served service (`seeds` by service name, then method name),
    sharing `budget_seconds`; also fail when a seed names a service the server does not serve,
    or when no case of a service got past its first checks (its seeds need mending)."""
    seeds = seeds or {}
    services = await served_services(channel)
    names = {service.name for service in services}
    unknown = sorted(set(seeds) - names)
    assert not unknown, f"seeds name services the server does not serve: {unknown}"
    reports: dict[str, FuzzReport] = {}
    for service in services:
        report = await fuzz_service(
            channel,
            service,
            metadata=metadata,
            seeds=seeds.get(service.name),
            budget_seconds=budget_seconds / len(services),
        )
        passed = sum(answers["OK"] for answers in report.answers.values())
        assert passed > 0, f"no case got past {service.name}'s first checks: mend its seeds"
        reports[service.name] = report
    return reports
