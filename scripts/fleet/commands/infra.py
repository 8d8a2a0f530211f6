"""`fleet infra`: real PostgreSQL and Kafka on loopback for tests and development."""

from __future__ import annotations

import time

import click

from fleet.console import out
from fleet.errors import FleetError
from fleet.infra.session import (
    run_with_infrastructure,
    terminate_as_interrupt,
    test_infrastructure,
)


@click.group("infra")
def group() -> None:
    """A throwaway PostgreSQL cluster and Kafka broker on loopback."""


command = group


@group.command("run", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def run(command: tuple[str, ...]) -> int:
    """Run COMMAND with PostgreSQL and Kafka started for it, then stop both."""
    if not command:
        raise FleetError("fleet infra run needs a command: fleet infra run -- pytest tests")
    return run_with_infrastructure(list(command))


@group.command("up")
def up() -> None:
    """Start both and keep them running until Ctrl-C; prints the variables tests read."""
    with terminate_as_interrupt(), test_infrastructure() as infrastructure:
        for name, value in infrastructure.environment().items():
            out.print(f"export {name}={value}", markup=False, soft_wrap=True)
        out.print("# running; Ctrl-C or SIGTERM stops both and deletes their data", markup=False)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
