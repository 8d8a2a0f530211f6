"""`fleet status`: template release against the latest, protos pin, content drift, dirty state."""

from __future__ import annotations

import json
from typing import Any

from .conftest import TemplatePlatform, replace_in, succeeded


def publish_protos(platform: TemplatePlatform, version: str) -> None:
    project = platform.root / ".fleet" / "index" / "simple" / "knowledge-protos"
    project.mkdir(parents=True, exist_ok=True)
    (project / f"knowledge_protos-{version}-py3-none-any.whl").write_bytes(b"")


def status_rows(platform: TemplatePlatform) -> dict[str, dict[str, Any]]:
    result = succeeded(platform.fleet("status", "--json"))
    return {row["service"]: row for row in json.loads(result.stdout)}


def test_status_reports_version_drift_content_drift_and_uncommitted_work(
    template_platform: TemplatePlatform,
) -> None:
    alpha = template_platform.stamp("ms_alpha")
    template_platform.stamp("ms_beta")
    publish_protos(template_platform, "1.4.0")
    replace_in(template_platform.root / "template" / "project" / "ruff.toml", "100", "110")
    template_platform.release("1.1.0", "line length 110")
    replace_in(alpha / "tox.ini", "[pytest]", "[pytest]\nxfail_strict = true")
    (alpha / ".dockerignore").unlink()
    notes = alpha / "src" / "ms_alpha" / "domain" / "notes.py"
    notes.write_text(notes.read_text() + "\n# reviewed\n")

    rows = status_rows(template_platform)

    alpha_row, beta_row = rows["ms_alpha"], rows["ms_beta"]
    assert (alpha_row["template_version"], alpha_row["latest_template"]) == ("1.0.0", "1.1.0")
    assert alpha_row["template_behind"] is True
    assert alpha_row["content_drift"] == [".dockerignore (deleted)", "tox.ini"]
    assert sorted(alpha_row["uncommitted"]) == [
        "services/ms_alpha/.dockerignore",
        "services/ms_alpha/src/ms_alpha/domain/notes.py",
        "services/ms_alpha/tox.ini",
    ]
    assert (alpha_row["protos_pin"], alpha_row["latest_protos"]) == ("==1.*", "1.4.0")
    assert alpha_row["protos_pin_admits_latest"] is True
    assert beta_row["content_drift"] == [] and beta_row["uncommitted"] == []
    assert rows["ms_auth"]["stamped"] is False and rows["ms_auth"]["template_behind"] is False

    publish_protos(template_platform, "2.0.0")
    assert status_rows(template_platform)["ms_beta"]["protos_pin_admits_latest"] is False


def test_status_table_is_readable(template_platform: TemplatePlatform) -> None:
    service = template_platform.stamp("ms_alpha")
    replace_in(service / "mypy.ini", "strict = True", "strict = False")
    table = succeeded(template_platform.fleet("status")).stdout
    line = next(row for row in table.splitlines() if "ms_alpha" in row)
    assert "1.0.0" in line and "mypy.ini" in line and "services/ms_alpha/mypy.ini" in line
    assert "not stamped" in next(row for row in table.splitlines() if "ms_auth" in row)


def test_status_and_new_without_a_release_say_how_to_make_one(
    template_platform: TemplatePlatform,
) -> None:
    template_platform.git("tag", "--delete", "1.0.0")
    for command in (["status"], ["new", "ms_alpha"]):
        result = template_platform.fleet(*command)
        assert result.returncode == 1
        assert result.stderr.startswith("fleet: the template has no release yet: cut one with")


def test_a_service_recording_an_unknown_template_commit_is_reported_not_fatal(
    template_platform: TemplatePlatform,
) -> None:
    service = template_platform.stamp("ms_alpha")
    template_platform.stamp("ms_beta")
    replace_in(service / ".copier-answers.yml", "_commit: 1.0.0", "_commit: 0123abc")
    template_platform.commit("ms_alpha stamped from a dirty template")
    replace_in(template_platform.root / "template" / "project" / "ruff.toml", "100", "110")
    template_platform.release("1.1.0", "line length 110")

    rows = status_rows(template_platform)
    assert rows["ms_alpha"]["content_drift"] is None
    assert (
        "records template version '0123abc', which this repository does not have"
        in (rows["ms_alpha"]["problem"])
    )
    assert rows["ms_beta"]["content_drift"] == []

    result = template_platform.fleet("update", "--all")
    assert result.returncode == 1
    assert "set _commit in its .copier-answers.yml" in result.stderr
    assert "line-length = 110" in (template_platform.service("ms_beta") / "ruff.toml").read_text()
