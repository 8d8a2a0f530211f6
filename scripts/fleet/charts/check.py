"""`fleet charts check`: generated files in sync, every chart rendered in every scenario by Helm,
linted, validated against pinned schemas, cross-referenced, and compared with its golden render."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fleet.charts import golden
from fleet.charts.caller_methods import public_method_paths
from fleet.charts.cel_rules import cel_rule_problems
from fleet.charts.database_references import database_reference_problems
from fleet.charts.gateway_listeners import gateway_listener_problems
from fleet.charts.gateway_proof import gateway_proof, grpc_web_landing_problems
from fleet.charts.generated_files import drifted_files
from fleet.charts.grpc_contracts import load_grpc_services
from fleet.charts.helm_engine import (
    RenderError,
    StagedChart,
    effective_values,
    lint,
    render,
    staged_charts,
)
from fleet.charts.ingress_reachability import ingress_reachability_problems
from fleet.charts.ingress_routes import ingress_route_problems
from fleet.charts.ingress_tokens import ingress_token_problems
from fleet.charts.kafka_grants import kafka_grant_problems
from fleet.charts.kafka_references import kafka_reference_problems
from fleet.charts.kafka_sizing import kafka_sizing_problems
from fleet.charts.kubectl_validate import kubectl_validate
from fleet.charts.layout import CHARTS_DIR, MESH_CHART, SCHEMAS_DIR
from fleet.charts.mesh_references import mesh_reference_problems
from fleet.charts.method_grants import method_grant_problems
from fleet.charts.migrations import migration_problems
from fleet.charts.network_policies import network_policy_problems
from fleet.charts.object_schemas import ObjectSchemas, object_schemas
from fleet.charts.object_validation import schema_findings
from fleet.charts.problems import Problem, object_label
from fleet.charts.rendered import RenderedObject, RenderedScenario
from fleet.charts.scenarios import Scenario, load_scenarios
from fleet.charts.store_references import store_reference_problems
from fleet.charts.values_errors import values_findings
from fleet.charts.yaml_documents import yaml_documents
from fleet.edge.routes import browser_routes
from fleet.manifest import load_manifest


@dataclass
class CheckReport:
    """What the check looked at and what it found."""

    problems: list[Problem] = field(default_factory=list)
    charts: int = 0
    scenarios: int = 0
    objects: int = 0
    goldens: int = 0
    goldens_written: list[Path] = field(default_factory=list)


def check_charts(root: Path, update_golden: bool = False) -> CheckReport:
    """Run every stage; problems are collected, not raised, so one run shows them all."""
    report = CheckReport()
    report.problems += [
        Problem("", "", text, "", "run `fleet charts generate`") for text in drifted_files(root)
    ]
    contracts = load_grpc_services(root)
    grpc_services = {service.full_name for found in contracts.values() for service in found}
    manifest = load_manifest(root)
    routes = browser_routes(manifest, contracts)
    public = public_method_paths(manifest, contracts)
    schemas = object_schemas(root / CHARTS_DIR / SCHEMAS_DIR)
    scenarios = load_scenarios(root)
    proof = gateway_proof(root)
    rendered_goldens: set[Path] = set()
    all_rendered: list[RenderedScenario] = []
    with staged_charts(root / CHARTS_DIR) as charts:
        report.charts, report.scenarios = len(charts), len(scenarios)
        for scenario in scenarios:
            report.problems += _unknown_charts(scenario, charts)
            rendered = RenderedScenario(
                scenario.name, grpc_services=grpc_services, release_namespace=scenario.namespace
            )
            for chart in charts:
                rendered.objects += _check_chart(
                    root, scenario, chart, schemas, report, update_golden
                )
                rendered_goldens.add(golden.golden_path(root, scenario.name, chart.name))
                if chart.name == MESH_CHART:
                    gateway = _ingress_gateway(chart, scenario)
                    rendered.external_service_accounts.add(
                        (str(gateway["namespace"]), str(gateway["serviceAccount"]))
                    )
                    rendered.external_workloads.append(
                        (str(gateway["namespace"]), dict(gateway["selector"]))
                    )
                    rendered.gateway_target_ports = {
                        int(gateway[name]["port"]): int(gateway[name]["targetPort"])
                        for name in ("https", "http")
                    }
            report.objects += len(rendered.objects)
            all_rendered.append(rendered)
            report.problems += mesh_reference_problems(rendered)
            report.problems += ingress_reachability_problems(rendered)
            report.problems += ingress_route_problems(rendered, routes)
            report.problems += gateway_listener_problems(rendered)
            report.problems += grpc_web_landing_problems(rendered, proof)
            report.problems += network_policy_problems(rendered)
            report.problems += store_reference_problems(rendered)
            report.problems += migration_problems(rendered)
            report.problems += database_reference_problems(rendered)
            report.problems += method_grant_problems(rendered, manifest, contracts)
            report.problems += ingress_token_problems(rendered, routes, contracts, public)
            report.problems += kafka_reference_problems(rendered)
            report.problems += kafka_grant_problems(rendered)
            report.problems += kafka_sizing_problems(rendered)
    crd_dir = root / CHARTS_DIR / SCHEMAS_DIR
    report.problems += cel_rule_problems(
        all_rendered, schemas.custom_kinds, kubectl_validate(root), crd_dir
    )
    _stale_goldens(root, rendered_goldens, report, update_golden)
    return report


def _ingress_gateway(mesh: StagedChart, scenario: Scenario) -> dict[str, Any]:
    """The ingress gateway Istio's chart installs (its ServiceAccount, its ports), as the mesh's
    values describe it."""
    return dict(effective_values(mesh, scenario.values_for(mesh.name, False))["ingressGateway"])


def _stale_goldens(
    root: Path, rendered: set[Path], report: CheckReport, update_golden: bool
) -> None:
    for stale in golden.stale_goldens(root, rendered):
        if update_golden:
            stale.unlink()
            report.goldens_written.append(stale)
        else:
            where = str(stale.relative_to(root))
            report.problems.append(
                Problem("", "", where, "", "golden render of no scenario and chart")
            )


def _check_chart(
    root: Path,
    scenario: Scenario,
    chart: StagedChart,
    schemas: ObjectSchemas,
    report: CheckReport,
    update_golden: bool,
) -> list[RenderedObject]:
    values = scenario.values_for(chart.name, chart.is_service)
    try:
        manifests = render(chart, values, scenario.namespace)
    except RenderError as exc:
        findings = values_findings(str(exc)) or [("", " ".join(str(exc).split()))]
        for field_name, message in findings:
            report.problems.append(
                Problem(scenario.name, chart.name, "helm template", field_name, message)
            )
        return []
    for finding in lint(chart, values, scenario.namespace):
        report.problems.append(
            Problem(scenario.name, chart.name, "helm lint --strict", "", finding)
        )
    manifests = {path: text for path, text in manifests.items() if path.endswith((".yaml", ".yml"))}
    _compare_golden(root, scenario, chart, manifests, report, update_golden)
    objects = []
    for template, text in sorted(manifests.items()):
        try:
            documents = yaml_documents(text)
        except yaml.YAMLError as exc:
            report.problems.append(
                Problem(scenario.name, chart.name, template, "", f"renders invalid YAML: {exc}")
            )
            continue
        for document in documents:
            objects.append(RenderedObject(chart.name, document))
            report.problems += _schema_problems(scenario, chart, document, schemas)
    return objects


def _schema_problems(
    scenario: Scenario, chart: StagedChart, document: dict[str, Any], schemas: ObjectSchemas
) -> list[Problem]:
    label = object_label(document)
    return [
        Problem(scenario.name, chart.name, label, path, message)
        for path, message in schema_findings(document, schemas)
    ]


def _compare_golden(
    root: Path,
    scenario: Scenario,
    chart: StagedChart,
    manifests: dict[str, str],
    report: CheckReport,
    update_golden: bool,
) -> None:
    path = golden.golden_path(root, scenario.name, chart.name)
    text = golden.golden_text(manifests)
    report.goldens += 1
    difference = golden.golden_difference(path, text)
    if difference is None:
        return
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        report.goldens_written.append(path)
    else:
        where = str(path.relative_to(root))
        report.problems.append(
            Problem(
                scenario.name,
                chart.name,
                where,
                "",
                f"{difference} (run `fleet charts check --update-golden` and review the diff)",
            )
        )


def _unknown_charts(scenario: Scenario, charts: list[StagedChart]) -> list[Problem]:
    known = {chart.name for chart in charts}
    return [
        Problem(
            scenario.name,
            "",
            f"scenario {scenario.name}",
            f"charts.{name}",
            f"no chart named '{name}' (known: {', '.join(sorted(known))})",
        )
        for name in sorted(scenario.charts)
        if name not in known
    ]
