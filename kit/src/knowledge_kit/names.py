"""Naming conventions shared across the fleet (kept in step with the fleet CLI's own rules)."""

from __future__ import annotations

import re

SERVICE_NAME = re.compile(r"^ms_[a-z][a-z0-9_]*$")


def check_service_name(service: str) -> str:
    """Return `service` if it follows the fleet's `ms_<name>` convention, else raise ValueError."""
    if not SERVICE_NAME.fullmatch(service):
        raise ValueError(f"service name {service!r} must look like ms_<name> (e.g. ms_knowledge)")
    return service


def dead_letter_topic(service: str) -> str:
    """Where a service's consumers park events they could not apply after bounded retries."""
    return f"deadletter.{check_service_name(service).removeprefix('ms_')}.v1"
