"""`fleet export`: one git repository per service, where plain `copier update` still works."""

from __future__ import annotations

import yaml

from .conftest import COPIER, TemplatePlatform, replace_in, run, succeeded


def test_exported_service_is_its_own_repository_and_copier_update_works_in_it(
    template_platform: TemplatePlatform,
) -> None:
    template_platform.stamp("ms_alpha")
    template_platform.stamp("ms_beta", "database=false")
    replace_in(template_platform.root / "template" / "project" / "ruff.toml", "100", "110")
    template_platform.release("1.1.0", "line length 110")
    target = template_platform.root.parent / "exported"

    succeeded(template_platform.fleet("export", str(target)))

    repository = target / "ms_alpha"
    assert template_platform.git("status", "--porcelain", cwd=repository) == ""
    assert len(template_platform.git("log", "--oneline", cwd=repository).splitlines()) == 1
    assert (repository / "src" / "ms_alpha" / "main.py").is_file()
    assert not (repository / "src" / "ms_beta").exists()
    answers = yaml.safe_load((repository / ".copier-answers.yml").read_text())
    assert (answers["_src_path"], answers["_commit"]) == ("../knowledge-platform", "1.0.0")
    assert "1.1.0" in template_platform.git("tag", cwd=target / "knowledge-platform").split()

    succeeded(run([COPIER, "update", "--quiet", "--defaults"], repository))

    assert "line-length = 110" in (repository / "ruff.toml").read_text()
    assert yaml.safe_load((repository / ".copier-answers.yml").read_text())["_commit"] == "1.1.0"


def test_export_refuses_to_overwrite_an_earlier_export(template_platform: TemplatePlatform) -> None:
    template_platform.stamp("ms_alpha")
    target = template_platform.root.parent / "exported"
    succeeded(template_platform.fleet("export", str(target)))
    result = template_platform.fleet("export", str(target))
    assert result.returncode == 1
    assert "already exists; export into an empty directory" in result.stderr
