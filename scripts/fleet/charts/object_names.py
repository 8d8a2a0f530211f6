"""Name and label rules the API server enforces but JSON schemas do not express."""

from __future__ import annotations

import re
from typing import Any

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
# Services become DNS labels (ms-auth.knowledge.svc), so their names are stricter.
_LABEL_NAMED_KINDS = {"Service"}


def name_findings(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for an invalid object name or label."""
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return []
    findings = []
    name = str(metadata.get("name", ""))
    if document.get("kind") in _LABEL_NAMED_KINDS:
        if len(name) > 63 or not _DNS_LABEL.match(name):
            findings.append(
                ("metadata.name", f"'{name}' is not a DNS label (a-z, 0-9, '-', at most 63)")
            )
    elif len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        findings.append(
            ("metadata.name", f"'{name}' is not a DNS subdomain name (a-z, 0-9, '-', '.')")
        )
    for key, value in (metadata.get("labels") or {}).items():
        field = f"metadata.labels[{key}]"
        if len(key.rsplit("/", 1)[-1]) > 63 or not _LABEL_NAME.match(key):
            findings.append((field, f"'{key}' is not a valid label name"))
        if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            findings.append((field, f"{value!r} is not a valid label value"))
    return findings
