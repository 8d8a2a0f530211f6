"""A service process gives back the memory it freed: blocks of a few MiB, freed while smaller
ones stay held around them, do not stay in the process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from knowledge_kit.runtime.allocator import OPERATOR_VARIABLES, return_freed_memory

# In a process of its own, so that its resident memory is this work's alone. One 8 MiB block
# freed raises glibc's default mapping threshold to 8 MiB; then forty 4 MiB blocks, each
# followed by a small block that stays held (a request's leftovers), are all freed.
_WORK = """
import asyncio, sys
from knowledge_kit.runtime import run_service_process

def rss_mib():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024

held = []

async def serve():
    block = b"x" * (8 << 20)
    del block
    before = rss_mib()
    blocks = []
    for _ in range(40):
        blocks.append(b"x" * (4 << 20))
        held.append(b"h" * 16384)
    del blocks
    print(rss_mib() - before)

if sys.argv[1] == "service":
    run_service_process("ms_notes", serve)
else:
    asyncio.run(serve())
"""


def _grown_mib(how: str) -> float:
    finished = subprocess.run(
        [sys.executable, "-c", _WORK, how], capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 0, finished.stderr
    return float(finished.stdout)


def test_a_service_process_keeps_none_of_the_large_blocks_it_freed() -> None:
    # The same work outside the service's entry point keeps them (glibc's default).
    assert _grown_mib("bare") > 100
    assert _grown_mib("service") < 16


def test_thresholds_an_operator_set_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OPERATOR_VARIABLES:
        with monkeypatch.context() as patch:
            patch.setenv(name, "65536")
            assert return_freed_memory() is False
