"""Mail in a local run: the service that sends it (ms_notifications) is pointed at a local SMTP
sink the edge runs, which keeps every mail it receives for the page to show; nothing leaves the
machine."""

from __future__ import annotations

from collections.abc import Iterable

from fleet.manifest import Service

MAILING_SERVICE = "ms_notifications"
MAIL_SINK_AFTER_EDGE_GRPC = 5
"""The sink listens this many ports above the edge's gRPC port (8095 by default)."""


def sends_mail(services: Iterable[Service]) -> bool:
    return any(service.name == MAILING_SERVICE for service in services)
