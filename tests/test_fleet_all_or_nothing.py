"""Commands that change several files either change all of them or leave every one as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleet.template_ops.all_or_nothing import restored_on_failure


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    (tmp_path / "charts" / "golden").mkdir(parents=True)
    (tmp_path / "charts" / "golden" / "mesh.yaml").write_text("mesh: 1\n")
    (tmp_path / "repos.yaml").write_text("services: []\n")
    return tmp_path


def change_everything(root: Path) -> None:
    (root / "repos.yaml").write_text("services: [ms_billing]\n")
    (root / "charts" / "golden" / "mesh.yaml").write_text("mesh: 2\n")
    (root / "charts" / "golden" / "ms-billing.yaml").write_text("billing: 1\n")
    (root / "services" / "ms_billing" / "src").mkdir(parents=True)
    (root / "services" / "ms_billing" / "src" / "main.py").write_text("")


@pytest.mark.parametrize("failure", [RuntimeError("the disk is full"), KeyboardInterrupt()])
def test_a_failure_puts_every_file_back_and_is_raised(
    repository: Path, failure: BaseException
) -> None:
    before = tree(repository)
    touched = [repository / "repos.yaml", repository / "charts", repository / "services/ms_billing"]

    with pytest.raises(type(failure)), restored_on_failure(touched):
        change_everything(repository)
        raise failure

    assert tree(repository) == before
    assert not (repository / "services" / "ms_billing").exists()


def test_success_keeps_every_change(repository: Path) -> None:
    with restored_on_failure([repository / "repos.yaml", repository / "charts"]):
        change_everything(repository)

    assert tree(repository)["charts/golden/ms-billing.yaml"] == b"billing: 1\n"
    assert tree(repository)["repos.yaml"] == b"services: [ms_billing]\n"
