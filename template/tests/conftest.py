"""A throwaway platform repository holding the working tree's template, released as git tags."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FLEET = Path(sys.executable).with_name("fleet")
COPIER = Path(sys.executable).with_name("copier")
# The registry's contracts and release records travel too: `fleet new` adds a starter contract.
TEMPLATE_FILES = (
    "copier.yml",
    "template/project",
    "repos.yaml",
    "proto-registry/topics.yaml",
    "proto-registry/buf.yaml",
    "proto-registry/VERSION",
    "proto-registry/proto",
    "proto-registry/releases",
)
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "template tests",
    "GIT_AUTHOR_EMAIL": "tests@knowledge.invalid",
    "GIT_COMMITTER_NAME": "template tests",
    "GIT_COMMITTER_EMAIL": "tests@knowledge.invalid",
}


def run(
    command: list[str | Path], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command as a user would, capturing its output; never raises on failure."""
    environment = {**os.environ, **GIT_IDENTITY, **(env or {})}
    environment.pop("FLEET_ROOT", None)
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def succeeded(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@dataclass
class TemplatePlatform:
    """A platform repository with the template at release 1.0.0, and ways to change it."""

    root: Path

    def fleet(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return run([FLEET, *args], cwd or self.root, env={"COLUMNS": "250"})

    def git(self, *args: str, cwd: Path | None = None) -> str:
        return succeeded(run(["git", *args], cwd or self.root)).stdout

    def commit(self, message: str) -> None:
        self.git("add", "--all")
        self.git("commit", "--quiet", "-m", message)

    def release(self, version: str, change: str) -> None:
        """Commit the working tree's template change and tag it as release `version`."""
        self.commit(change)
        self.git("tag", "-a", version, "-m", f"template {version}: {change}")

    def service(self, name: str) -> Path:
        return self.root / "services" / name

    def stamp(self, name: str, *data: str) -> Path:
        succeeded(self.fleet("new", name, *(f"--data={item}" for item in data)))
        self.commit(f"stamp {name}")
        return self.service(name)


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a file, failing loudly when the text to replace is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def template_platform(tmp_path: Path) -> TemplatePlatform:
    root = tmp_path / "platform"
    for name in TEMPLATE_FILES:
        source, target = REPO_ROOT / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    platform = TemplatePlatform(root)
    platform.git("init", "--quiet", "--initial-branch=main")
    platform.release("1.0.0", "the template as it is in the working tree")
    return platform


@pytest.fixture
def tox_environment() -> dict[str, str]:
    """What a rendered repository's tox needs: the local index with knowledge-protos, the kit."""
    index = REPO_ROOT / ".fleet" / "index" / "simple"
    if not (index / "knowledge-protos").is_dir():
        pytest.fail(
            f"knowledge-protos is not published in {index.relative_to(REPO_ROOT)}: run "
            "scripts/bootstrap.sh test (it publishes the registry's wheel)",
            pytrace=False,
        )
    return {"KNOWLEDGE_PACKAGE_INDEX": index.as_uri(), "KNOWLEDGE_KIT": str(REPO_ROOT / "kit")}


def run_tox(repository: Path, environments: str, env: Mapping[str, str]) -> None:
    """Run the rendered repository's own tox; fail showing its output when it fails."""
    result = run([sys.executable, "-m", "tox", "run", "-e", environments], repository, env)
    assert result.returncode == 0, (
        f"tox -e {environments} failed in {repository.name}:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    )
