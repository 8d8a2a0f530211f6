"""The Node probes (probes/*.mjs): programs that use a running platform from outside, as the
frontend does. Each runs beside its installed npm packages, since ES modules ignore NODE_PATH."""

from __future__ import annotations

import shutil
from pathlib import Path

from fleet.edge.node_packages import installed_node_modules
from fleet.protos.tools import system_tool

PROBES = Path(__file__).resolve().parent / "probes"


def probe_command(script: str) -> list[str]:
    """`node <script>` for one of probes/*.mjs, ready to get its JSON argument."""
    source = PROBES / script
    if not source.is_file():
        known = ", ".join(sorted(path.name for path in PROBES.glob("*.mjs")))
        raise FileNotFoundError(f"no probe {script} (known: {known})")
    home = installed_node_modules(PROBES).parent
    shutil.copyfile(source, home / script)
    return [system_tool("node", "to run the Node probes"), str(home / script)]
