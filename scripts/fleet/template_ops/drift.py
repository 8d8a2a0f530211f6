"""Content drift: local edits to template-owned files, found by re-rendering the stamped release."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fleet.template_ops.ownership import ownership_at_release
from fleet.template_ops.releases import check_stamped_version
from fleet.template_ops.rendering import render_release
from fleet.template_ops.stamp_record import read_stamp


def content_drift(root: Path, service_dir: Path) -> list[str]:
    """Template-owned files that differ from what the service's release renders (or are gone)."""
    record = read_stamp(service_dir)
    check_stamped_version(root, service_dir.name, record.version)
    ownership = ownership_at_release(root, record.version)
    with tempfile.TemporaryDirectory(prefix="fleet-drift-") as scratch:
        rendered = Path(scratch) / service_dir.name
        render_release(root, record.version, record.answers, rendered)
        drifted: list[str] = []
        for path in sorted(rendered.rglob("*")):
            name = path.relative_to(rendered).as_posix()
            if not path.is_file() or not ownership.is_template_owned(name):
                continue
            local = service_dir / name
            if not local.is_file():
                drifted.append(f"{name} (deleted)")
            elif local.read_bytes() != path.read_bytes():
                drifted.append(name)
        return drifted
