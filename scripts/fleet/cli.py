"""The `fleet` command line: every subcommand is registered here, errors become one line."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import click

from fleet import commands
from fleet.console import err
from fleet.errors import FleetError


@click.group(name="fleet", context_settings={"help_option_names": ["-h", "--help"]})
def app() -> None:
    """Create, wire, test and ship the knowledge platform's services."""


for module_info in pkgutil.iter_modules(commands.__path__):
    # Each module under fleet/commands exposes one click command or group as `command`.
    app.add_command(importlib.import_module(f"fleet.commands.{module_info.name}").command)


def main(argv: list[str] | None = None) -> None:
    """Run a command; report a problem as `fleet: ...` on one line, never a traceback."""
    try:
        result = app.main(args=argv, prog_name="fleet", standalone_mode=False)
    except FleetError as exc:
        _fail(str(exc), 1)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        _fail(f"{exc.format_message()}{hint}", 2)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except Exception as exc:
        if os.environ.get("FLEET_DEBUG"):
            raise
        _fail(
            f"internal error: {type(exc).__name__}: {exc} (FLEET_DEBUG=1 shows the traceback)", 70
        )
    sys.exit(result if isinstance(result, int) else 0)


def _fail(message: str, code: int) -> None:
    err.print(f"fleet: {message}", markup=False, soft_wrap=True)
    sys.exit(code)
