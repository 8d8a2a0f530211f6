"""`fleet manifest`: validate and show repos.yaml."""

from __future__ import annotations

import click
from rich.table import Table

from fleet.charts.caller_methods import caller_method_problems
from fleet.charts.grpc_contracts import load_grpc_services
from fleet.console import out
from fleet.errors import FleetError
from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.topic_wiring import topic_wiring_problems
from fleet.topics import load_topics


@click.group("manifest")
def group() -> None:
    """Validate and show the fleet manifest (repos.yaml)."""


command = group


@group.command("check")
def check() -> None:
    """Validate repos.yaml and its wiring to the registry's topics and gRPC methods."""
    root = find_repo_root()
    manifest = load_manifest(root)
    problems = topic_wiring_problems(manifest, load_topics(root))
    problems += caller_method_problems(manifest, load_grpc_services(root))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise FleetError(f"repos.yaml: {problems[0]}{more}")
    out.print(f"repos.yaml: {len(manifest.services)} services, all consistent")


@group.command("show")
def show() -> None:
    """A table of every service: ports, database, topics and tags."""
    manifest = load_manifest(find_repo_root())
    table = Table(
        "service",
        "owner",
        "grpc",
        "other ports",
        "database",
        "produces",
        "consumes",
        "tags",
        title="repos.yaml",
    )
    for service in manifest.services:
        other = ", ".join(
            f"{kind} {port}" for kind, port in service.ports.assigned().items() if kind != "grpc"
        )
        table.add_row(
            service.name,
            service.owner,
            str(service.ports.grpc),
            other,
            service.database or "-",
            "\n".join(service.topics.produces) or "-",
            str(len(service.topics.consumes)),
            ", ".join(service.tags),
        )
    out.print(table)
