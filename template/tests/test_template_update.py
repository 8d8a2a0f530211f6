"""Rolling a template release across stamped services: edits survive, conflicts fail loudly."""

from __future__ import annotations

import yaml

from .conftest import COPIER, TemplatePlatform, replace_in, run, run_tox, succeeded

SERVICE_EDIT = "\n\ndef is_titled(note: Note) -> bool:\n    return bool(note.title)\n"


def recorded_release(platform: TemplatePlatform, name: str) -> tuple[str, str | None]:
    answers = yaml.safe_load((platform.service(name) / ".copier-answers.yml").read_text())
    manifest = yaml.safe_load((platform.root / "repos.yaml").read_text())
    entry = next(item for item in manifest["services"] if item["name"] == name)
    return answers["_commit"], entry.get("template_version")


def test_update_all_applies_a_template_release_and_keeps_service_edits(
    template_platform: TemplatePlatform, tox_environment: dict[str, str]
) -> None:
    alpha = template_platform.stamp("ms_alpha")
    beta = template_platform.stamp("ms_beta", "database=false")
    notes = alpha / "src" / "ms_alpha" / "domain" / "notes.py"
    notes.write_text(notes.read_text() + SERVICE_EDIT)
    replace_in(beta / "README.md", "## Layout", "## Runbook\n\nPage team-platform.\n\n## Layout")
    deleted = [
        beta / "proto" / "example_api" / "v1" / "example.proto",
        beta / "tests" / "unit" / "test_note_use_cases.py",
    ]
    for path in deleted:
        path.unlink()
    template_platform.commit("service-owned edits; ms_beta drops part of the example")
    replace_in(
        template_platform.root / "template" / "project" / "ruff.toml",
        'select = ["E", "F"',
        'select = ["C4", "E", "F"',
    )
    template_platform.release("1.1.0", "lint comprehensions too")

    result = template_platform.fleet("update", "--all")

    assert result.returncode == 0, result.stderr
    assert "ms_alpha" in result.stdout and "updated" in result.stdout
    for name in ("ms_alpha", "ms_beta"):
        assert recorded_release(template_platform, name) == ("1.1.0", "1.1.0")
        assert (
            'select = ["C4", "E", "F"'
            in (template_platform.service(name) / "ruff.toml").read_text()
        )
    assert notes.read_text().endswith(SERVICE_EDIT)
    assert "Page team-platform." in (beta / "README.md").read_text()
    assert [path for path in deleted if path.exists()] == []
    assert "# The fleet manifest" in (template_platform.root / "repos.yaml").read_text()
    template_platform.commit("template 1.1.0")
    again = template_platform.fleet("update", "--all")
    assert again.returncode == 0 and "already current" in again.stdout
    run_tox(alpha, "sqlite", tox_environment)


def test_a_conflicting_local_edit_fails_the_update_naming_the_file(
    template_platform: TemplatePlatform,
) -> None:
    service = template_platform.stamp("ms_alpha")
    replace_in(service / "ruff.toml", "line-length = 100", "line-length = 120")
    template_platform.commit("wider lines in ms_alpha")
    replace_in(
        template_platform.root / "template" / "project" / "ruff.toml",
        "line-length = 100",
        "line-length = 110",
    )
    template_platform.release("1.1.0", "line length 110")
    before = {path: path.read_bytes() for path in service.rglob("*") if path.is_file()}

    result = template_platform.fleet("update", "ms_alpha")

    assert result.returncode == 1
    assert "ms_alpha conflicts in ruff.toml" in result.stderr
    assert {path: path.read_bytes() for path in service.rglob("*") if path.is_file()} == before
    assert recorded_release(template_platform, "ms_alpha") == ("1.0.0", "1.0.0")
    assert template_platform.git("status", "--porcelain") == ""


def test_update_refuses_a_service_with_uncommitted_changes(
    template_platform: TemplatePlatform,
) -> None:
    service = template_platform.stamp("ms_alpha")
    (template_platform.root / "template" / "project" / ".dockerignore").write_text(".git\n")
    template_platform.release("1.1.0", "smaller docker ignore list")
    (service / "README.md").write_text("work in progress\n")

    result = template_platform.fleet("update", "ms_alpha")

    assert result.returncode == 1
    assert "ms_alpha has uncommitted changes in services/ms_alpha/README.md" in result.stderr
    assert (service / "README.md").read_text() == "work in progress\n"
    assert recorded_release(template_platform, "ms_alpha") == ("1.0.0", "1.0.0")


def test_update_needs_a_name_or_all(template_platform: TemplatePlatform) -> None:
    result = template_platform.fleet("update")
    assert result.returncode == 1
    assert result.stderr.strip() == "fleet: name one service to update, or pass --all"


def test_a_service_stamped_from_an_untagged_commit_is_updated_to_a_release(
    template_platform: TemplatePlatform,
) -> None:
    ruff = template_platform.root / "template" / "project" / "ruff.toml"
    replace_in(ruff, 'select = ["E", "F"', 'select = ["C4", "E", "F"')
    template_platform.commit("unreleased: lint comprehensions")
    succeeded(
        run(
            [
                COPIER,
                "copy",
                "--quiet",
                "--defaults",
                "--vcs-ref",
                "HEAD",
                "--data",
                "service_name=ms_alpha",
                str(template_platform.root),
                str(template_platform.service("ms_alpha")),
            ],
            template_platform.root,
        )
    )
    with (template_platform.root / "repos.yaml").open("a") as manifest:
        manifest.write(
            "\n  - name: ms_alpha\n    path: services/ms_alpha\n    description: Alpha.\n"
            "    owner: team-alpha\n    ports: {grpc: 50100}\n"
        )
    template_platform.commit("stamp ms_alpha from the unreleased template")
    assert recorded_release(template_platform, "ms_alpha")[0].startswith("1.0.0-1-g")
    replace_in(ruff, "line-length = 100", "line-length = 110")
    template_platform.release("1.1.0", "line length 110")

    result = template_platform.fleet("update", "ms_alpha")

    assert result.returncode == 0, result.stderr
    assert recorded_release(template_platform, "ms_alpha") == ("1.1.0", "1.1.0")
    text = (template_platform.service("ms_alpha") / "ruff.toml").read_text()
    assert 'select = ["C4", "E", "F"' in text and "line-length = 110" in text
