"""Stopping a job's process: SIGTERM to its process group first, SIGKILL once the grace has
passed, so a process that ignores SIGTERM (or a child it started) still ends."""

from __future__ import annotations

import asyncio
import os

import pytest

from ms_ml.training.process import stop


async def test_a_process_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    process = await asyncio.create_subprocess_exec(
        "sh",
        "-c",
        'trap "" TERM; sleep 60 & echo $!; wait',
        stdout=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None
    child = int(await process.stdout.readline())
    await stop(process, grace_seconds=0.5)
    assert process.returncode == -9  # SIGTERM alone did not end it
    for _ in range(100):  # the group's other member went with it
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail(f"{child} of the stopped group still runs")


async def test_a_process_that_obeys_sigterm_ends_within_the_grace() -> None:
    process = await asyncio.create_subprocess_exec("sleep", "60", start_new_session=True)
    await stop(process, grace_seconds=30)
    assert process.returncode == -15
