"""Running git for the template mechanics, with failures reported as one readable line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fleet.errors import FleetError

# Commits the fleet makes itself (scratch checkouts, exports) need an identity on any machine.
FLEET_IDENTITY = ("-c", "user.name=knowledge fleet", "-c", "user.email=fleet@knowledge.invalid")


def git(*args: str, cwd: Path) -> str:
    """Run `git ARGS` in `cwd` and return its output; a failure is a FleetError naming the command."""
    result = subprocess.run(
        ["git", *FLEET_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        problem = (result.stderr.strip() or result.stdout.strip()).splitlines()
        detail = problem[-1] if problem else f"exit code {result.returncode}"
        raise FleetError(f"git {args[0]} failed in {cwd}: {detail}")
    return result.stdout


def commit_everything(repository: Path, message: str) -> None:
    """Initialise `repository` as a git repository on `main` and commit all of its files."""
    git("init", "--quiet", "--initial-branch=main", cwd=repository)
    git("add", "--all", cwd=repository)
    git("commit", "--quiet", "--no-verify", "-m", message, cwd=repository)


def listed_files(repository: Path, *pathspec: str) -> list[str]:
    """Tracked and untracked, not ignored files under `pathspec`, relative to `repository`."""
    output = git(
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
        "--",
        *pathspec,
        cwd=repository,
    )
    return sorted({name for name in output.split("\0") if name})


def uncommitted_paths(repository: Path, *pathspec: str) -> list[str]:
    """Paths under `pathspec` whose working copy differs from the last commit."""
    output = git(
        "status", "--porcelain", "-z", "--untracked-files=all", "--", *pathspec, cwd=repository
    )
    paths: list[str] = []
    entries = iter(output.split("\0"))
    for entry in entries:
        if len(entry) > 3:
            paths.append(entry[3:])
            if {"R", "C"} & set(entry[:2]):
                # A rename or copy is followed by the path it came from; a renamed one changed too.
                origin = next(entries, "")
                if "R" in entry[:2] and origin:
                    paths.append(origin)
    return paths
