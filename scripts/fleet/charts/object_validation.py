"""Validating rendered objects against the pinned schemas, one finding per wrong field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from fleet.charts.object_names import name_findings
from fleet.charts.object_schemas import KUBERNETES_VERSION, ObjectSchemas
from fleet.validation_messages import dotted


def schema_findings(document: dict[str, Any], schemas: ObjectSchemas) -> list[tuple[str, str]]:
    """(field, message) for everything in `document` its pinned schema or the naming rules reject."""
    api_version, kind = document.get("apiVersion"), document.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return [("", "has no apiVersion or kind")]
    validator = schemas.validator(api_version, kind)
    if validator is None:
        return [
            (
                "apiVersion",
                f"no pinned schema for {kind} {api_version} (Kubernetes {KUBERNETES_VERSION}, "
                "Istio and Strimzi CRDs in platform-charts/schemas)",
            )
        ]
    findings = name_findings(document)
    for error in validator.iter_errors(document):
        findings.extend(_describe(error))
    return sorted(set(findings))


def _describe(error: ValidationError) -> Iterator[tuple[str, str]]:
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = best_match(error.context)
        if deepest.absolute_path != error.absolute_path or deepest.validator != error.validator:
            yield from _describe(deepest)
            return
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        for unknown in sorted(key for key in error.instance if key not in known):
            yield dotted(tuple([*path, unknown])), "unknown field (not in the pinned schema)"
        return
    yield dotted(tuple(path)), error.message
