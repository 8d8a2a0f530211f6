"""`python -m fleet.edge CONFIG.json`: run the local edge until SIGTERM or Ctrl-C."""

from __future__ import annotations

import sys
from pathlib import Path

from aiohttp import web

from fleet.console import err
from fleet.edge.app import HANDLER_CANCELLATION, build_edge
from fleet.edge.config import load_edge_config
from fleet.errors import FleetError


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        err.print("usage: python -m fleet.edge EDGE_CONFIG.json", markup=False)
        return 2
    try:
        config = load_edge_config(Path(argv[0]))
    except FleetError as exc:
        err.print(f"edge: {exc}", markup=False)
        return 1
    web.run_app(
        build_edge(config),
        host=config.host,
        port=config.port,
        print=None,
        handle_signals=True,
        shutdown_timeout=5,
        handler_cancellation=HANDLER_CANCELLATION,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
