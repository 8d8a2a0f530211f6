"""`fleet new`: stamp a service repository from the template and register it in repos.yaml."""

from __future__ import annotations

import os
import shutil
from typing import Any

import click

from fleet.console import out
from fleet.errors import FleetError
from fleet.manifest import SERVICE_NAME, Manifest, load_manifest
from fleet.paths import MANIFEST_NAME, find_repo_root
from fleet.template_ops.registration import register_service, service_entry
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
    if any(service.name == name for service in manifest.services):
        raise FleetError(f"{name} is already registered in {MANIFEST_NAME}")
    relative = f"{SERVICES_DIR}/{name}"
    service_dir = root / relative
    if service_dir.exists():
        raise FleetError(f"{relative} already exists")
    version = checked_release(root, release) if release else latest_template_release(root)
    answers = {"grpc_port": str(next_free_port(manifest)), **parse_answers(data)}
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
            register_service(
                root, service_entry(read_stamp(service_dir).answers, relative, version)
            )
        except BaseException:
            shutil.rmtree(service_dir, ignore_errors=True)
            raise
    out.print(
        f"stamped {relative} from template {version} and registered it in {MANIFEST_NAME}",
        soft_wrap=True,
    )
    out.print(f"next: commit it, then run `tox` in {relative}", markup=False)


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
