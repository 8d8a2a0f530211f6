"""Rendering the template with copier, with copier's complaints turned into one-line errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import copier
from copier.errors import CopierError

from fleet.errors import FleetError


@contextmanager
def copier_errors_as_fleet_errors(service: str) -> Iterator[None]:
    """Invalid answers and template problems become a FleetError naming the service."""
    try:
        yield
    except (CopierError, ValueError) as exc:
        message = " ".join(str(exc).split())
        raise FleetError(f"{service}: {message}") from None


def render_release(root: Path, version: str, answers: Mapping[str, Any], destination: Path) -> None:
    """Render template release `version` with `answers` into `destination`."""
    with copier_errors_as_fleet_errors(str(answers.get("service_name", destination.name))):
        copier.run_copy(
            src_path=str(root),
            dst_path=destination,
            data=dict(answers),
            vcs_ref=version,
            defaults=True,
            overwrite=True,
            quiet=True,
        )


def update_checkout(checkout: Path, version: str) -> None:
    """Replay the template's change up to `version` onto a committed service checkout."""
    with copier_errors_as_fleet_errors(checkout.name):
        copier.run_update(
            dst_path=checkout,
            vcs_ref=version,
            defaults=True,
            overwrite=True,
            skip_answered=True,
            quiet=True,
            conflict="inline",
        )
