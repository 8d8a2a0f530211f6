"""The web app's main pages have no serious accessibility faults: axe-core (WCAG 2.1 A and AA
rules) runs in headless Chromium on each page as a person reaches it, signed out and signed in
(an open canvas with a note included), and finds no serious or critical violation."""

from __future__ import annotations

import json

from .browser_probes import CHROMIUM, probe_lines
from .edge_harness import PASSWORD, PlatformUp, unique_email

PROBE_DEADLINE = 240.0
PAGES = [
    "sign-in",
    "sign-up",
    "spaces",
    "space",
    "document",
    "activity",
    "canvases",
    "canvas",
    "bell",
]


def test_the_main_pages_have_no_serious_accessibility_violations(platform: PlatformUp) -> None:
    request = {
        "chromium": CHROMIUM,
        "url": platform.edge_url,
        "email": unique_email(),
        "password": PASSWORD,
        "deadlineSeconds": PROBE_DEADLINE / 4,
    }
    *pages, problems = probe_lines("web_app_accessibility.mjs", request, timeout=PROBE_DEADLINE)
    found = {line.split(" ", 1)[0]: json.loads(line.split(" ", 1)[1]) for line in pages}
    assert list(found) == PAGES
    assert {page: faults for page, faults in found.items() if faults} == {}
    assert problems == "problems: []"
