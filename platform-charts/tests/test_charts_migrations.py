"""Migrations run once per release in a hook Job: the check fails on a Deployment that migrates."""

from __future__ import annotations

from pathlib import Path

import yaml
from fleet.charts.check import check_charts

from .chart_edits import REPO_ROOT, replace_once

SKIP = '{{- include "platform-lib.migrationsVariable" (dict "root" . "mode" "skip") | nindent 12 }}'


def _problem_lines(root: Path) -> list[str]:
    return [str(problem) for problem in check_charts(root).problems]


def test_a_migration_container_in_the_deployment_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/platform-lib/templates/_workload.tpl"
    replace_once(
        template,
        "      containers:\n        - name: {{ include",
        "      initContainers:\n"
        "        - name: migrate\n"
        '          image: {{ include "platform-lib.image" . | quote }}\n'
        "          env:\n"
        '            {{- include "platform-lib.serviceEnvironment" . | nindent 12 }}\n'
        '            {{- include "platform-lib.migrationsVariable" (dict "root" . "mode" "only") '
        "| nindent 12 }}\n"
        "      containers:\n        - name: {{ include",
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/ms-canvas: Deployment knowledge/ms-canvas: spec.template.spec.initContainers[0].env: "
        "MS_CANVAS_DATABASE_MIGRATIONS is only: every replica would migrate as it starts, racing "
        "the others; set skip (the release's migration Job migrates)"
    ) in lines, lines


def test_replicas_left_to_migrate_at_start_are_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/platform-lib/templates/_workload.tpl"
    replace_once(template, SKIP, "")

    lines = _problem_lines(charts_copy)

    assert (
        "default/ms-auth: Deployment knowledge/ms-auth: spec.template.spec.containers[0].env: "
        "MS_AUTH_DATABASE_MIGRATIONS is unset (at_start): every replica would migrate as it "
        "starts, racing the others; set skip (the release's migration Job migrates)"
    ) in lines, lines


def test_a_release_without_its_migration_job_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/platform-lib/templates/_service_release.tpl"
    replace_once(template, '{{ include "platform-lib.service.migrations" . }}\n', "")

    lines = _problem_lines(charts_copy)

    assert (
        "default/ms-knowledge: Deployment knowledge/ms-knowledge: no pre-install,pre-upgrade hook "
        "Job of ms-knowledge migrates its database (MS_KNOWLEDGE_DATABASE_MIGRATIONS=only)"
    ) in lines, lines


def test_the_migration_job_runs_the_service_image_before_install_and_upgrade() -> None:
    golden = REPO_ROOT / "platform-charts/golden/default/ms-canvas.yaml"
    objects = [d for d in yaml.safe_load_all(golden.read_text(encoding="utf-8")) if d]
    job = next(o for o in objects if o["kind"] == "Job")
    deployment = next(o for o in objects if o["kind"] == "Deployment")

    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    migrations = job["spec"]["template"]["spec"]["containers"][0]
    service = deployment["spec"]["template"]["spec"]["containers"][0]
    assert migrations["image"] == service["image"]
    assert {"name": "MS_CANVAS_DATABASE_MIGRATIONS", "value": "only"} in migrations["env"]
    assert {"name": "MS_CANVAS_DATABASE_MIGRATIONS", "value": "skip"} in service["env"]
