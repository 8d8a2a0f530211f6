"""`fleet new`: stamp a service repository from the template and register it in repos.yaml.

Contract first and all or nothing: a service without a contract gets the starter contract in
the proto registry, and a failure at any step leaves every file as it was."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

import click

from fleet.charts.grpc_contracts import load_grpc_services
from fleet.charts.layout import CHARTS_DIR
from fleet.console import out
from fleet.errors import FleetError
from fleet.manifest import SERVICE_NAME, Manifest, Service, load_manifest
from fleet.paths import MANIFEST_NAME, find_repo_root
from fleet.protos.layout import RegistryLayout
from fleet.template_ops.all_or_nothing import restored_on_failure
from fleet.template_ops.registration import (
    record_template_version,
    register_service,
    service_entry,
)
from fleet.template_ops.releases import checked_release, latest_template_release
from fleet.template_ops.rendering import render_release
from fleet.template_ops.stamp_record import read_stamp, record_source
from fleet.template_ops.starter_contract import (
    StarterContract,
    add_starter_contract,
    contract_dir,
    contract_package,
)
from fleet.template_ops.template_config import asked_questions, template_config

SERVICES_DIR = "services"
FIRST_PORTS = {"grpc": 50051, "metrics": 9101}


@click.command("new")
@click.argument("name")
@click.option(
    "--data",
    "-d",
    "data",
    multiple=True,
    metavar="KEY=VALUE",
    help="Answer a template question, e.g. --data owner=team-content (repeatable).",
)
@click.option("--release", metavar="X.Y.Z", help="Template release to stamp (default: the latest).")
def new(name: str, data: tuple[str, ...], release: str | None) -> None:
    """Stamp services/NAME from the template, with its starter contract, repos.yaml entry and chart."""
    root = find_repo_root()
    manifest = load_manifest(root)
    if not SERVICE_NAME.match(name):
        raise FleetError(
            f"service name '{name}' must look like ms_<name> (lowercase letters, digits, underscores)"
        )
    planned = next((service for service in manifest.services if service.name == name), None)
    relative = planned.path if planned else f"{SERVICES_DIR}/{name}"
    if (root / relative).exists():
        raise FleetError(f"{relative} already exists")
    version = checked_release(root, release) if release else latest_template_release(root)
    answers = resolved_answers(root, manifest, name, planned, version, parse_answers(data))
    needs_contract = not load_grpc_services(root).get(name)
    with restored_on_failure(touched_paths(root, name, relative, needs_contract)):
        contract = write_contract(root, version, name) if needs_contract else None
        with out.status(f"stamping {relative} from template {version}"):
            stamp(root, manifest, planned, relative, version, answers)
        chart_files = 0
        if (root / CHARTS_DIR).is_dir() and (planned is None or needs_contract):
            with out.status("generating the charts and their golden renders"):
                chart_files = regenerate_charts(root)
    out.print(
        f"stamped {relative} from template {version} and registered it in {MANIFEST_NAME}",
        soft_wrap=True,
    )
    if contract is not None:
        out.print(
            f"wrote the starter contract {contract.path.relative_to(root).as_posix()} "
            f"({contract.package}); knowledge-protos VERSION is {contract.registry_version}",
            soft_wrap=True,
        )
    if chart_files:
        out.print(f"charts: {chart_files} file(s) written under {CHARTS_DIR}/", soft_wrap=True)
    out.print(f"next: review and commit it, then run `tox` in {relative}", markup=False)
    if contract is not None:
        out.print(
            f"then replace the notes in {contract.path.name} with {name}'s resources and release "
            f"them with `fleet protos publish` ({contract.registry_version})",
            markup=False,
        )


def resolved_answers(
    root: Path,
    manifest: Manifest,
    name: str,
    planned: Service | None,
    version: str,
    given: dict[str, Any],
) -> dict[str, Any]:
    """The template's answers: --data, plus the next free gRPC port or the planned entry's."""
    if planned is None:
        answers = {"grpc_port": str(next_free_port(manifest, "grpc")), **given}
    else:
        # Planned in repos.yaml but not stamped yet: the manifest's entry answers the questions.
        answers = manifest_answers(planned)
        contradicted = sorted(key for key in given if key in answers)
        if contradicted:
            raise FleetError(
                f"{name} is planned in {MANIFEST_NAME}, which already answers "
                f"{', '.join(contradicted)}: change {MANIFEST_NAME} instead of --data"
            )
        answers.update(given)
    unknown = sorted(set(answers) - set(asked_questions(template_config(root, version))))
    if unknown:
        raise FleetError(
            f"--data names unknown question(s) {', '.join(unknown)} of template {version}"
        )
    if answers.setdefault("service_name", name) != name:
        raise FleetError(f"--data service_name={answers['service_name']} contradicts NAME {name}")
    return answers


def touched_paths(root: Path, name: str, relative: str, needs_contract: bool) -> list[Path]:
    """Everything `fleet new` may change, so that a failure at any step puts all of it back."""
    layout = RegistryLayout(root)
    paths = [root / relative, root / MANIFEST_NAME, root / CHARTS_DIR]
    if needs_contract:
        paths += [contract_dir(layout, name).parent, layout.version_file]
    return paths


def write_contract(root: Path, version: str, name: str) -> StarterContract:
    """The starter contract in the registry, lint clean, with VERSION the release it needs."""
    with out.status(f"writing the starter contract {contract_package(name)}"):
        return add_starter_contract(root, version, name)


def stamp(
    root: Path,
    manifest: Manifest,
    planned: Service | None,
    relative: str,
    version: str,
    answers: dict[str, Any],
) -> None:
    """Render the release into the service directory and record it in repos.yaml."""
    service_dir = root / relative
    render_release(root, version, answers, service_dir)
    record_source(service_dir, os.path.relpath(root, service_dir))
    if planned is not None:
        record_template_version(root, planned.name, version)
        return
    stamped = read_stamp(service_dir).answers
    metrics = next_free_port(manifest, "metrics", taken=_answered_ports(stamped))
    register_service(root, service_entry(stamped, relative, version, metrics))


def _answered_ports(answers: dict[str, Any]) -> list[int]:
    return [int(answers[key]) for key in ("grpc_port", "websocket_port") if answers.get(key)]


def manifest_answers(service: Service) -> dict[str, Any]:
    """The template's answers for a service repos.yaml already plans."""
    answers: dict[str, Any] = {
        "description": service.description,
        "owner": service.owner,
        "grpc_port": service.ports.grpc,
        "websocket": service.ports.websocket is not None,
        "database": service.database is not None,
        "topics_produced": list(service.topics.produces),
        "topics_consumed": list(service.topics.consumes),
    }
    if service.ports.websocket is not None:
        answers["websocket_port"] = service.ports.websocket
    return answers


def regenerate_charts(root: Path) -> int:
    """Write the charts that name the new service and their golden renders; return how many
    files changed. Fails, naming the first problem, unless `fleet charts check` then passes."""
    from fleet.charts.check import check_charts
    from fleet.charts.generated_files import write_generated_files

    generated = write_generated_files(root)
    report = check_charts(root, update_golden=True)
    if report.problems:
        raise FleetError(f"charts check: {sorted(map(str, report.problems))[0]}")
    return len(generated) + len(report.goldens_written)


def parse_answers(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`KEY=VALUE` pairs as a mapping; copier casts each value to its question's type."""
    answers: dict[str, Any] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise FleetError(f"--data expects KEY=VALUE, got '{pair}'")
        answers[key.strip()] = value
    return answers


def next_free_port(manifest: Manifest, kind: str, taken: Collection[int] = ()) -> int:
    """The first `kind` port (grpc, metrics) after the fleet's highest one that nothing uses yet."""
    used = {port for service in manifest.services for port in service.ports.assigned().values()}
    used.update(taken)
    ports = [port for s in manifest.services if (port := s.ports.assigned().get(kind)) is not None]
    port = max(ports, default=FIRST_PORTS[kind] - 1) + 1
    while port in used:
        port += 1
    return port


command = new
