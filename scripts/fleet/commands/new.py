"""`fleet new`: stamp a service repository from the template and register it in repos.yaml."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import click

from fleet.console import out
from fleet.errors import FleetError
from fleet.manifest import SERVICE_NAME, Manifest, Service, load_manifest
from fleet.paths import MANIFEST_NAME, find_repo_root
from fleet.template_ops.registration import (
    record_template_version,
    register_service,
    service_entry,
)
from fleet.template_ops.releases import checked_release, latest_template_release
from fleet.template_ops.rendering import render_release
from fleet.template_ops.stamp_record import read_stamp, record_source
from fleet.template_ops.template_config import asked_questions, template_config

SERVICES_DIR = "services"
FIRST_GRPC_PORT = 50051


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
    """Stamp services/NAME from the template and register it in repos.yaml."""
    root = find_repo_root()
    manifest = load_manifest(root)
    if not SERVICE_NAME.match(name):
        raise FleetError(
            f"service name '{name}' must look like ms_<name> (lowercase letters, digits, underscores)"
        )
    planned = next((service for service in manifest.services if service.name == name), None)
    relative = planned.path if planned else f"{SERVICES_DIR}/{name}"
    service_dir = root / relative
    if service_dir.exists():
        raise FleetError(f"{relative} already exists")
    version = checked_release(root, release) if release else latest_template_release(root)
    given = parse_answers(data)
    if planned is None:
        answers = {"grpc_port": str(next_free_port(manifest)), **given}
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
    with out.status(f"stamping {relative} from template {version}"):
        try:
            render_release(root, version, answers, service_dir)
            record_source(service_dir, os.path.relpath(root, service_dir))
            if planned is None:
                register_service(
                    root, service_entry(read_stamp(service_dir).answers, relative, version)
                )
            else:
                record_template_version(root, name, version)
        except BaseException:
            shutil.rmtree(service_dir, ignore_errors=True)
            raise
    out.print(
        f"stamped {relative} from template {version} and registered it in {MANIFEST_NAME}",
        soft_wrap=True,
    )
    if planned is None:
        regenerate_charts(root)
    out.print(f"next: commit it, then run `tox` in {relative}", markup=False)


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


def regenerate_charts(root: Path) -> None:
    """The new service's Helm chart, and the mesh and Kafka values that name it."""
    from fleet.charts.generated_files import write_generated_files
    from fleet.charts.layout import CHARTS_DIR

    if not (root / CHARTS_DIR).is_dir():
        return
    changed = write_generated_files(root)
    out.print(
        f"charts: {len(changed)} generated file(s) written under {CHARTS_DIR}/; review the new "
        "release's renders with `fleet charts check --update-golden`",
        soft_wrap=True,
    )


def parse_answers(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`KEY=VALUE` pairs as a mapping; copier casts each value to its question's type."""
    answers: dict[str, Any] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise FleetError(f"--data expects KEY=VALUE, got '{pair}'")
        answers[key.strip()] = value
    return answers


def next_free_port(manifest: Manifest) -> int:
    """The first gRPC port after the fleet's highest one that no service uses yet."""
    used = {port for service in manifest.services for port in service.ports.assigned().values()}
    grpc_ports = [service.ports.grpc for service in manifest.services]
    port = max(grpc_ports, default=FIRST_GRPC_PORT - 1) + 1
    while port in used:
        port += 1
    return port


command = new
