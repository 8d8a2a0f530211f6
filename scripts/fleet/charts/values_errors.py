"""Helm's values-schema errors, turned into one finding per key in the platform's field style."""

from __future__ import annotations

import re

_SCHEMA_ERROR = re.compile(r"^- at '([^']*)': (.+)$", re.MULTILINE)
_UNKNOWN_KEYS = re.compile(r"^additional properties? (.+) not allowed$")


def values_findings(helm_message: str) -> list[tuple[str, str]]:
    """(field, message) per schema violation Helm reported; empty if it was another error.

    `- at '/autoscaling': additional properties 'minReplica' not allowed` becomes
    ("values.autoscaling.minReplica", "unknown key (not in values.schema.json)").
    """
    findings = []
    for pointer, message in _SCHEMA_ERROR.findall(helm_message):
        field = ".".join(["values", *(part for part in pointer.split("/") if part)])
        unknown = _UNKNOWN_KEYS.match(message.strip())
        if unknown is None:
            findings.append((field, message.strip()))
            continue
        for key in re.findall(r"'([^']+)'", unknown.group(1)):
            findings.append((f"{field}.{key}", "unknown key (not in values.schema.json)"))
    return findings
