"""`fleet kit publish` puts one commit's knowledge-kit into the local index, never the working
tree's work in progress, and never changes a published version."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from fleet.template_ops.git import commit_everything, git

from .conftest import REPO_ROOT, run_fleet

AIO = "kit/src/knowledge_kit/aio.py"
WORK_IN_PROGRESS = "\n# work in progress, not committed\n"


def kit_platform(tmp_path: Path) -> Path:
    """A platform root, committed in a git repository of its own, holding a copy of the kit's
    package sources."""
    root = tmp_path / "platform"
    (root / "proto-registry").mkdir(parents=True)
    (root / "proto-registry" / "README.md").write_text("contracts\n")
    shutil.copy2(REPO_ROOT / "repos.yaml", root / "repos.yaml")
    (root / "kit").mkdir()
    shutil.copy2(REPO_ROOT / "kit" / "pyproject.toml", root / "kit" / "pyproject.toml")
    shutil.copytree(
        REPO_ROOT / "kit" / "src",
        root / "kit" / "src",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (root / ".gitignore").write_text(".fleet/\n__pycache__/\n")
    commit_everything(root, "platform with the kit")
    return root


def kit_wheels(root: Path) -> list[Path]:
    return sorted((root / ".fleet" / "index" / "simple" / "knowledge-kit").glob("*.whl"))


def kit_version(root: Path) -> str:
    found = re.search(r'^version = "([^"]+)"', (root / "kit" / "pyproject.toml").read_text(), re.M)
    assert found is not None
    return found[1]


def set_kit_version(root: Path, version: str) -> None:
    pyproject = root / "kit" / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'^version = "[^"]+"', f'version = "{version}"', pyproject.read_text(), flags=re.M)
    )


def commit(root: Path, message: str) -> None:
    git("add", "--all", cwd=root)
    git("commit", "--quiet", "--no-verify", "-m", message, cwd=root)


def test_kit_publish_is_reproducible_and_refuses_to_change_a_published_version(
    tmp_path: Path,
) -> None:
    root = kit_platform(tmp_path)
    first = run_fleet("kit", "publish", cwd=root)
    assert first.returncode == 0, first.stderr
    assert ": published in file://" in first.stdout
    wheels = kit_wheels(root)
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        entry_points = next(name for name in names if name.endswith("entry_points.txt"))
        assert "knowledge_kit.testing.plugin" in wheel.read(entry_points).decode()
    assert "knowledge_kit/py.typed" in names

    again = run_fleet("kit", "publish", cwd=root)
    assert again.returncode == 0 and ": already published in" in again.stdout

    settings = root / "kit" / "src" / "knowledge_kit" / "settings.py"
    settings.write_text(settings.read_text() + "\n# changed without a new version\n")
    commit(root, "kit change without a new version")
    changed = run_fleet("kit", "publish", cwd=root)
    assert changed.returncode == 1
    assert "is already published with other contents: raise the version" in changed.stderr
    assert kit_wheels(root) == wheels


def test_uncommitted_kit_changes_stay_out_of_the_wheel_and_are_named(tmp_path: Path) -> None:
    root = kit_platform(tmp_path)
    committed = (root / AIO).read_bytes()
    (root / AIO).write_text(committed.decode() + WORK_IN_PROGRESS)
    (root / "kit" / "src" / "knowledge_kit" / "draft.py").write_text("DRAFT = True\n")
    git("mv", "kit/src/knowledge_kit/py.typed", "kit/src/knowledge_kit/py.typed.moved", cwd=root)

    published = run_fleet("kit", "publish", cwd=root)

    assert published.returncode == 0, published.stderr
    assert f"knowledge-kit {kit_version(root)}: published in file://" in published.stdout
    assert "not in the wheel (uncommitted in kit/" in published.stderr
    named = published.stderr.strip().split("): ", 1)[1].split(", ")
    assert sorted(named) == [
        AIO,
        "kit/src/knowledge_kit/draft.py",
        "kit/src/knowledge_kit/py.typed",
        "kit/src/knowledge_kit/py.typed.moved",
    ]
    (wheel,) = kit_wheels(root)
    with zipfile.ZipFile(wheel) as contents:
        assert contents.read("knowledge_kit/aio.py") == committed
        assert "knowledge_kit/draft.py" not in contents.namelist()
        assert "knowledge_kit/py.typed" in contents.namelist()
    # The working tree is left as it was: the work in progress is still there.
    assert (root / AIO).read_text().endswith(WORK_IN_PROGRESS)


def test_a_release_not_committed_yet_is_refused_then_published_once_committed(
    tmp_path: Path,
) -> None:
    root = kit_platform(tmp_path)
    before = kit_version(root)
    set_kit_version(root, "1.99.0")
    (root / AIO).write_text((root / AIO).read_text() + WORK_IN_PROGRESS)

    refused = run_fleet("kit", "publish", cwd=root)

    assert refused.returncode == 1
    assert "kit/pyproject.toml says 1.99.0 but HEAD (" in refused.stderr
    assert f") holds knowledge-kit {before}" in refused.stderr
    assert "commit the release first, then publish" in refused.stderr
    assert f"uncommitted in kit/: kit/pyproject.toml, {AIO}" in refused.stderr
    assert kit_wheels(root) == []

    commit(root, "kit 1.99.0")
    released = run_fleet("kit", "publish", cwd=root)
    assert released.returncode == 0, released.stderr
    assert "knowledge-kit 1.99.0: published in file://" in released.stdout
    assert released.stderr == ""
    (wheel,) = kit_wheels(root)
    with zipfile.ZipFile(wheel) as contents:
        assert contents.read("knowledge_kit/aio.py").decode().endswith(WORK_IN_PROGRESS)

    # An earlier commit's kit can still be published, as that commit holds it.
    earlier = run_fleet("kit", "publish", "--commit", "HEAD~1", cwd=root)
    assert earlier.returncode == 0, earlier.stderr
    assert f"knowledge-kit {before}: published in file://" in earlier.stdout
    assert [path.name for path in kit_wheels(root)] == sorted(
        [wheel.name, f"knowledge_kit-{before}-py3-none-any.whl"]
    )


def test_kit_publish_needs_a_commit(tmp_path: Path) -> None:
    root = kit_platform(tmp_path)

    unknown = run_fleet("kit", "publish", "--commit", "no-such-commit", cwd=root)
    assert unknown.returncode == 1
    assert "no commit 'no-such-commit' to publish the kit from" in unknown.stderr

    shutil.rmtree(root / ".git")
    not_a_checkout = run_fleet("kit", "publish", cwd=root)
    assert not_a_checkout.returncode == 1
    assert (
        "is not a git checkout: the kit is published from a commit's kit/" in not_a_checkout.stderr
    )
    assert kit_wheels(root) == []
