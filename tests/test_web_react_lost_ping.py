"""The web app's build keeps a Suspense ping that reaches the browser's React while it renders
(web/webpack/react-lost-ping.cjs): the bundled React 19.2 drops it, leaving a Server Action's
re-rendered page unapplied and its form pending. The loader rewrites that one branch in the
production and development builds, passes a React already fixed through, and fails the build on
a React it does not recognise."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from .edge_harness import REPO_ROOT

LOADER = REPO_ROOT / "web" / "webpack" / "react-lost-ping.cjs"
PRODUCTION = """function pingSuspendedRoot(root, wakeable, pingedLanes) {
  workInProgressRoot === root &&
    (4 === workInProgressRootExitStatus)
      ? 0 === (executionContext & 2) && prepareFreshStack(root, 0)
      : (workInProgressRootPingedLanes |= pingedLanes),
  ensureRootIsScheduled(root);
}"""
DEVELOPMENT = """function pingSuspendedRoot(root, wakeable, pingedLanes) {
      workInProgressRoot === root &&
        (workInProgressRootExitStatus === RootSuspendedWithDelay)
          ? (executionContext & RenderContext) === NoContext &&
            prepareFreshStack(root, 0)
          : (workInProgressRootPingedLanes |= pingedLanes);
}"""


def patched(source: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed to build the web app"
    script = (
        f"const loader = require({json.dumps(str(LOADER))});"
        "let source = '';"
        "process.stdin.on('data', (chunk) => (source += chunk));"
        "process.stdin.on('end', () => process.stdout.write("
        "loader.call({ resourcePath: '/app/react-dom-client.production.js' }, source)));"
    )
    return subprocess.run(
        [node, "-e", script], input=source, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("source", [PRODUCTION, DEVELOPMENT], ids=["production", "development"])
def test_a_ping_during_the_render_is_kept_for_its_end(source: str) -> None:
    answer = patched(source)
    assert answer.returncode == 0, answer.stderr
    # Outside the render phase the render restarts, as before; inside it the ping is recorded.
    assert "? prepareFreshStack(root, 0) : (workInProgressRootPingedLanes |= pingedLanes))" in (
        answer.stdout
    )
    assert re.search(r"&&\s*prepareFreshStack", answer.stdout) is None
    # Patching it again changes nothing (a React already fixed passes through).
    again = patched(answer.stdout)
    assert (again.returncode, again.stdout) == (0, answer.stdout)


def test_a_file_without_the_reconciler_passes_through() -> None:
    source = "export const version = '19.2.3';\n"
    assert patched(source).stdout == source


def test_a_react_it_does_not_recognise_fails_the_build_saying_so() -> None:
    answer = patched("function pingSuspendedRoot(root, wakeable, pingedLanes) { somethingNew(); }")
    assert answer.returncode != 0
    assert (
        "expected pingSuspendedRoot's render-phase branch once in "
        "/app/react-dom-client.production.js, found it 0 times"
    ) in answer.stderr
