"""Template releases are recorded in the history, so a clone without tags still has them."""

from __future__ import annotations

from pathlib import Path

from .conftest import TemplatePlatform, replace_in, run, succeeded

COPIER_TOOLTIP = "The service's name, like ms_billing (also its Python import package)"


def change_the_template(platform: TemplatePlatform) -> None:
    replace_in(platform.root / "copier.yml", COPIER_TOOLTIP, COPIER_TOOLTIP + ".")
    platform.commit("template: punctuation")


def test_a_release_is_recorded_and_a_tagless_clone_gets_its_tag_back(
    template_platform: TemplatePlatform, tmp_path: Path
) -> None:
    change_the_template(template_platform)
    head = template_platform.git("rev-parse", "HEAD").strip()

    released = succeeded(template_platform.fleet("template", "release", "1.1.0", "-m", "dots"))

    assert "template 1.1.0 released" in released.stdout
    record = (template_platform.root / "template" / "releases.yaml").read_text()
    assert f'"1.1.0": {head}' in record
    template_platform.commit("record template 1.1.0")
    clone = tmp_path / "tagless"
    succeeded(
        run(
            ["git", "clone", "--quiet", "--no-tags", str(template_platform.root), str(clone)],
            tmp_path,
        )
    )
    assert succeeded(run(["git", "tag", "--list"], clone)).stdout == ""

    listed = succeeded(template_platform.fleet("template", "releases", cwd=clone))

    assert "1.1.0" in listed.stdout
    assert succeeded(run(["git", "rev-parse", "1.1.0^{commit}"], clone)).stdout.strip() == head


def test_a_release_must_be_newer_and_committed(template_platform: TemplatePlatform) -> None:
    older = template_platform.fleet("template", "release", "0.9.0")
    assert older.returncode == 1
    assert older.stderr.strip() == "fleet: release 0.9.0 must be newer than the latest, 1.0.0"

    replace_in(template_platform.root / "copier.yml", COPIER_TOOLTIP, COPIER_TOOLTIP + "!")
    uncommitted = template_platform.fleet("template", "release", "1.1.0")
    assert uncommitted.returncode == 1
    assert "commit the template change before releasing it: copier.yml" in uncommitted.stderr
    assert not (template_platform.root / "template" / "releases.yaml").exists()


def test_a_moved_tag_is_refused_naming_both_commits(template_platform: TemplatePlatform) -> None:
    change_the_template(template_platform)
    succeeded(template_platform.fleet("template", "release", "1.1.0"))
    template_platform.commit("record template 1.1.0")
    template_platform.git("tag", "--force", "1.1.0", "HEAD")

    status = template_platform.fleet("template", "releases")

    assert status.returncode == 1
    assert "tag 1.1.0 points at" in status.stderr and "a release never moves" in status.stderr
