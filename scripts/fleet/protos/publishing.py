"""Publishing a version: gate, build, add to the local index, record the release."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.protos.gate import check_version, require_lint_clean
from fleet.protos.layout import DISTRIBUTION, RegistryLayout
from fleet.protos.package_index import AlreadyPublished, publish_file
from fleet.protos.python_package import REQUIRES_PYTHON, build_wheel
from fleet.protos.releases import record_release
from fleet.protos.semver import Version


@dataclass(frozen=True)
class Publication:
    version: Version
    wheel: Path
    already_published: bool
    newly_released: bool


def publish(layout: RegistryLayout, progress: Callable[[str], None]) -> Publication:
    """Publish VERSION; refuses lint problems, a VERSION the changes do not justify, and overwrites."""
    progress("linting (buf lint, STANDARD)")
    require_lint_clean(layout)
    progress("checking VERSION against the last release (buf breaking)")
    version, changes = check_version(layout)
    progress(f"building knowledge-protos {version}")
    wheel = build_wheel(layout)
    try:
        published = publish_file(layout.index, DISTRIBUTION, wheel, requires_python=REQUIRES_PYTHON)
    except AlreadyPublished as exc:
        raise FleetError(f"{exc} (`fleet protos bump`, then publish)") from None
    newly_released = changes.since is None or changes.since.version != version
    if newly_released:
        progress(f"recording release {version} under proto-registry/releases/{version}")
        record_release(layout, version)
    return Publication(version, published.path, published.already_there, newly_released)
