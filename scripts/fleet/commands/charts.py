"""`fleet charts`: generate the service charts from repos.yaml and check every chart offline."""

from __future__ import annotations

import click

from fleet.console import err, out
from fleet.errors import FleetError
from fleet.paths import find_repo_root


@click.group("charts")
def group() -> None:
    """The Helm charts under platform-charts/: one release per service, mesh and Kafka."""


command = group


@group.command("generate")
def generate() -> None:
    """Write the generated chart files from repos.yaml and the proto registry."""
    # Imported here so other fleet commands do not load the Helm library.
    from fleet.charts.generated_files import write_generated_files

    changed = write_generated_files(find_repo_root())
    for path in changed:
        out.print(f"wrote platform-charts/{path.as_posix()}")
    out.print(f"charts generate: {len(changed)} file(s) changed")


@group.command("check")
@click.option(
    "--update-golden", is_flag=True, help="Rewrite the golden renders instead of diffing them."
)
def check(update_golden: bool) -> None:
    """Render every chart in every scenario with Helm, lint, validate, cross-check, diff goldens."""
    from fleet.charts.check import check_charts
    from fleet.charts.object_schemas import KUBERNETES_VERSION

    report = check_charts(find_repo_root(), update_golden=update_golden)
    for path in report.goldens_written:
        out.print(f"updated {path}")
    if report.problems:
        for problem in sorted(set(report.problems)):
            err.print(str(problem), markup=False, soft_wrap=True)
        count = len(set(report.problems))
        raise FleetError(f"charts check: {count} problem(s) (listed above)")
    out.print(
        f"charts check: {report.charts} charts x {report.scenarios} scenarios rendered and linted, "
        f"{report.objects} objects valid against Kubernetes {KUBERNETES_VERSION}, Istio 1.28 "
        f"and Strimzi 1.2 schemas, references resolved, {report.goldens} golden renders match"
    )
