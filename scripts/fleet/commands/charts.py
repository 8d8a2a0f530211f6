"""`fleet charts`: generate the service charts from repos.yaml and check every chart offline."""

from __future__ import annotations

import click

from fleet.charts.layout import CHARTS_DIR
from fleet.console import err, out
from fleet.errors import FleetError
from fleet.paths import find_repo_root


@click.group("charts")
def group() -> None:
    """The Helm charts under platform-charts/: one release per service, mesh, Kafka, Qdrant,
    ClickHouse and PostgreSQL."""


command = group


@group.command("generate")
def generate() -> None:
    """Write the generated chart files from repos.yaml and the proto registry."""
    # Imported here so other fleet commands do not load the Helm library.
    from fleet.charts.generated_files import write_generated_files

    root = find_repo_root()
    changed = write_generated_files(root)
    for path in changed:
        action = "wrote" if (root / CHARTS_DIR / path).exists() else "removed"
        out.print(f"{action} {(CHARTS_DIR / path).as_posix()}")
    out.print(f"charts generate: {len(changed)} file(s) changed")


@group.command("check")
@click.option(
    "--update-golden", is_flag=True, help="Rewrite the golden renders instead of diffing them."
)
def check(update_golden: bool) -> None:
    """Render every chart in every scenario with Helm, lint, validate, cross-check, diff goldens."""
    from fleet.charts.check import check_charts
    from fleet.charts.object_schemas import KUBERNETES_VERSION

    root = find_repo_root()
    report = check_charts(root, update_golden=update_golden)
    for path in report.goldens_written:
        action = "updated" if path.exists() else "removed"
        out.print(f"{action} {path.relative_to(root).as_posix()}")
    if report.problems:
        for problem in sorted(set(report.problems)):
            err.print(str(problem), markup=False, soft_wrap=True)
        count = len(set(report.problems))
        raise FleetError(f"charts check: {count} problem(s) (listed above)")
    out.print(
        f"charts check: {report.charts} charts x {report.scenarios} scenarios rendered and linted, "
        f"{report.objects} objects valid against Kubernetes {KUBERNETES_VERSION}, Istio 1.28, "
        f"Strimzi 1.2, Prometheus operator 0.85 and CloudNativePG 1.30 schemas and the CRDs' CEL "
        f"rules, the gRPC-web filter on the gateway's listeners by Istio's configuration "
        f"generation, references resolved, {report.goldens} golden renders match"
    )


@group.command("tools")
def tools() -> None:
    """Build the Go tools the check runs (kubectl-validate, the gateway proof) into the user
    cache, both at once; a later check finds them built. Quick when they already are."""
    from concurrent.futures import ThreadPoolExecutor

    from fleet.charts.gateway_proof import gateway_proof
    from fleet.charts.kubectl_validate import kubectl_validate

    root = find_repo_root()
    with ThreadPoolExecutor(max_workers=2) as pool:
        builds = [pool.submit(build, root) for build in (kubectl_validate, gateway_proof)]
        built = [future.result() for future in builds]
    for path in built:
        out.print(f"built {path}")
