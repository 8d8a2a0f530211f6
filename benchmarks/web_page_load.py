"""What the web app costs a person opening a document, against the classic page it replaces, and
what a Server Action adds to the gRPC call it makes.

    .venv/bin/python benchmarks/web_page_load.py [--loads 5] [--calls 100]

Runs `fleet up --only ms_auth,ms_knowledge,ms_notifications` on free ports (the app built as
`fleet up` builds it: `next build`, cached) and drives headless Chromium, every load in a new
browser context (nothing cached):

- **First-load JS**: the JavaScript a cold browser fetches to show the document page, over the
  wire (as sent, compressed where the server compresses) and decoded. The app: the document's own
  address with the session's cookies. The classic page: its one esbuild bundle.
- **Time to interactive**: navigation start until the open document is live (content shown,
  editable, WatchDocument streaming: `#document-status` says live). The app is rendered on the
  server and hydrated; the classic page keeps no session across loads, so it signs in, opens the
  space and the document, and the sign-in call's own duration is taken out of its time.
- **Server Action round trip**: the browser opening the bell, which lists the inbox with a Server
  Action (browser → edge → Next.js → grpc-js → edge gRPC → ms_notifications), timed by the
  browser; against the same ListNotifications made directly with grpc-js from Node through the
  edge's gRPC port, as the Server Action makes it. The first calls of each are left out (warm-up).

Ratios are app / classic and Server Action / grpc-js (lower is better for the app).

Measured on 2 cores shared with other work (load average 4.7 at start, 8.8 at end: other test
suites with `fleet up` and headless Chromium ran meanwhile), 5 loads, 60 round trips:

    document page (medians)           app    classic   ratio
    first-load JS, wire (KiB)         147        256    0.58
    first-load JS, decoded (KiB)      493        256    1.93
    JS files                           10          1   10.00
    time to interactive (ms)         1020       1162    0.88   (classic sign-in, 701 ms, taken out)

    round trips                    p50 ms     p95 ms
    Server Action (browser)          33.1      116.2
    grpc-js direct (Node)             5.4       15.8
    ratio Server Action / grpc-js: p50 6.1, p95 7.4

The app sends less JavaScript over the wire (Next.js compresses it; the edge serves the classic
bundle as is) though more once decoded (React and the router), and its document is live sooner
since it is rendered on the server and needs no sign-in round trip. A Server Action costs about
30 ms at the median over the call it makes: the browser's POST through the edge to Next.js, the
session cookies read, the React Server Components answer; its tail is the loaded machine's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fleet.edge.probes import probe_command  # noqa: E402

from tests.edge_harness import PASSWORD, platform_up, unique_email  # noqa: E402

SERVICES = ["ms_auth", "ms_knowledge", "ms_notifications"]
CHROMIUM = "/usr/bin/chromium"
WARM_UP = 5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="cold loads of each page")
    parser.add_argument("--calls", type=int, default=100, help="round trips of each kind")
    options = parser.parse_args()
    print(f"load average at start: {load_average()}")
    with tempfile.TemporaryDirectory() as state, platform_up(Path(state), SERVICES) as platform:
        request = {
            "chromium": CHROMIUM,
            "url": platform.edge_url,
            "classic": platform.page_url,
            "grpc": platform.edge_target,
            "protoRoot": str(ROOT / "proto-registry" / "proto"),
            "email": unique_email(),
            "password": PASSWORD,
            "loads": options.loads,
            "calls": options.calls + WARM_UP,
            "deadlineSeconds": 540,
        }
        finished = subprocess.run(
            [*probe_command("web_app_page_load.mjs"), json.dumps(request)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    if finished.returncode != 0:
        sys.exit(f"the page load probe failed:\n{finished.stderr}")
    measured = json.loads(finished.stdout)
    app, classic = measured["app"], measured["classic"]

    def median(loads: list[dict[str, float]], key: str) -> float:
        return statistics.median(float(one[key]) for one in loads)

    print(f"\ndocument page, {options.loads} cold loads each (medians)")
    print(f"{'':28} {'app':>10} {'classic':>10} {'ratio':>7}")
    for label, key, unit, scale in (
        ("first-load JS, wire", "wire", "KiB", 1024),
        ("first-load JS, decoded", "decoded", "KiB", 1024),
        ("JS files", "files", "", 1),
        ("time to interactive", "interactive", "ms", 1),
    ):
        ours, theirs = median(app, key) / scale, median(classic, key) / scale
        print(
            f"{label + (f' ({unit})' if unit else ''):28} {ours:10.0f} {theirs:10.0f} {ours / theirs:7.2f}"
        )
    print(f"(classic sign-in call taken out: median {median(classic, 'login'):.0f} ms)")

    action = measured["action"][WARM_UP:]
    direct = measured["direct"][WARM_UP:]
    print(f"\nround trips, {len(action)} Server Actions and {len(direct)} grpc-js calls")
    print(f"{'':28} {'p50 ms':>10} {'p95 ms':>10}")
    for label, values in (("Server Action (browser)", action), ("grpc-js direct (Node)", direct)):
        print(f"{label:28} {percentile(values, 0.5):10.1f} {percentile(values, 0.95):10.1f}")
    print(
        f"ratio Server Action / grpc-js: p50 "
        f"{percentile(action, 0.5) / percentile(direct, 0.5):.1f}, "
        f"p95 {percentile(action, 0.95) / percentile(direct, 0.95):.1f}"
    )
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
