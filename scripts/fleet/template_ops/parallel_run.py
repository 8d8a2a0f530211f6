"""Running one command in many service repositories at once, keeping each one's output apart."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RepositoryRun:
    service: str
    exit_code: int
    output: str

    @property
    def last_line(self) -> str:
        lines = [line for line in self.output.splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""


def run_in_repositories(
    command: list[str],
    directories: Mapping[str, Path],
    environment: Mapping[str, str],
    jobs: int,
    on_finished: Callable[[RepositoryRun], None],
) -> list[RepositoryRun]:
    """Run `command` in each directory, `jobs` at a time; report each run as it finishes."""
    runs: list[RepositoryRun] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [
            pool.submit(_run_one, service, command, directory, environment)
            for service, directory in directories.items()
        ]
        for future in as_completed(futures):
            run = future.result()
            on_finished(run)
            runs.append(run)
    order = list(directories)
    return sorted(runs, key=lambda run: order.index(run.service))


def _run_one(
    service: str, command: list[str], directory: Path, environment: Mapping[str, str]
) -> RepositoryRun:
    try:
        result = subprocess.run(
            command,
            cwd=directory,
            env=dict(environment),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    except OSError as exc:
        return RepositoryRun(service, 127, f"cannot run {command[0]}: {exc.strerror}")
    return RepositoryRun(service, result.returncode, result.stdout)
