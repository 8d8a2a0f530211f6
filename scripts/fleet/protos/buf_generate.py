"""`buf generate` with local plugins only: the template is built here, so nothing is fetched remotely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fleet.protos.layout import RegistryLayout
from fleet.protos.tools import run_tool, venv_tool


def buf_generate(
    layout: RegistryLayout,
    output: Path,
    plugins: list[dict[str, Any]],
    *,
    managed: dict[str, Any] | None = None,
    what: str,
) -> None:
    """Run the registry's contracts through `plugins` (each with a `local` executable) into `output`."""
    template: dict[str, Any] = {"version": "v2", "plugins": plugins}
    if managed is not None:
        template["managed"] = managed
    run_tool(
        [venv_tool("buf"), "generate", "--template", json.dumps(template), "-o", str(output)],
        what=what,
        cwd=layout.registry,
    )
