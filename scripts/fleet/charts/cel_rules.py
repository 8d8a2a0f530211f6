"""The rules the API server evaluates on custom resources beyond their schemas: the CRDs' CEL rules
(`x-kubernetes-validations`, like Strimzi's "valueFrom property is required" for a JMX exporter),
checked offline by kubectl-validate against the pinned CRDs of platform-charts/schemas."""

from __future__ import annotations

from pathlib import Path

from fleet.charts.kubectl_validate import validate_custom_resources
from fleet.charts.problems import Problem, object_label
from fleet.charts.rendered import RenderedScenario


def cel_rule_problems(
    scenarios: list[RenderedScenario],
    custom_kinds: set[tuple[str, str]],
    binary: Path,
    crd_dir: Path,
) -> list[Problem]:
    """One problem per rule (or schema constraint) the API server would refuse an object on; one
    run of the tool for every scenario."""
    custom = [
        (rendered.scenario, found)
        for rendered in scenarios
        for found in rendered.objects
        if (str(found.document.get("apiVersion", "")), found.kind) in custom_kinds
    ]
    results = validate_custom_resources(binary, crd_dir, [found.document for _, found in custom])
    return [
        Problem(
            scenario,
            found.chart,
            object_label(found.document),
            field,
            f"the API server would refuse it: {message}",
        )
        for (scenario, found), findings in zip(custom, results, strict=True)
        for field, message in findings
    ]
