"""Migrations run once per release, in a Helm hook Job, never in the Deployment's pods.

A replica that migrates at start races every other replica starting with it (no lock), and an
upgrade's new pods migrate while the old ones still serve the old schema. So: a Deployment with a
database starts its containers with <PREFIX>DATABASE_MIGRATIONS=skip and none with a mode that
migrates, and its release has a pre-install,pre-upgrade Job running the same image with `only`.
"""

from __future__ import annotations

from typing import Any

from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario

MODE = "_DATABASE_MIGRATIONS"
HOOK = "helm.sh/hook"
REQUIRED_HOOKS = {"pre-install", "pre-upgrade"}


def migration_problems(scenario: RenderedScenario) -> list[Problem]:
    problems: list[Problem] = []
    for deployment in scenario.of_kind("Deployment"):
        pod = (deployment.spec.get("template") or {}).get("spec") or {}
        prefix = _database_prefix(pod.get("containers") or [])
        if prefix is None:
            continue
        for group in ("initContainers", "containers"):
            for index, container in enumerate(pod.get(group) or []):
                mode = _env(container).get(prefix + MODE)
                if mode == "skip" or (mode is None and group == "initContainers"):
                    continue
                field = f"spec.template.spec.{group}[{index}].env"
                message = (
                    f"{prefix}{MODE} is {mode or 'unset (at_start)'}: every replica would migrate "
                    "as it starts, racing the others; set skip (the release's migration Job "
                    "migrates)"
                )
                problems.append(scenario.problem(deployment, field, message))
        if not any(_migrates(job, deployment, prefix) for job in scenario.of_kind("Job")):
            message = (
                f"no pre-install,pre-upgrade hook Job of {deployment.chart} migrates its database "
                f"({prefix}{MODE}=only)"
            )
            problems.append(scenario.problem(deployment, "", message))
    return problems


def _migrates(job: RenderedObject, deployment: RenderedObject, prefix: str) -> bool:
    annotations = (job.document.get("metadata") or {}).get("annotations") or {}
    hooks = {hook.strip() for hook in str(annotations.get(HOOK, "")).split(",")}
    containers = ((job.spec.get("template") or {}).get("spec") or {}).get("containers") or []
    return (
        job.chart == deployment.chart
        and hooks >= REQUIRED_HOOKS
        and any(_env(container).get(prefix + MODE) == "only" for container in containers)
    )


def _database_prefix(containers: list[dict[str, Any]]) -> str | None:
    """`MS_CANVAS` when a container reads MS_CANVAS_DATABASE_URL: the release has a database."""
    for container in containers:
        for name in _env(container):
            if name.endswith("_DATABASE_URL"):
                return name.removesuffix("_DATABASE_URL")
    return None


def _env(container: dict[str, Any]) -> dict[str, str | None]:
    return {
        str(variable["name"]): variable.get("value")
        for variable in container.get("env") or []
        if "name" in variable
    }
