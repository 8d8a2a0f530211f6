"""Where the proto registry keeps its sources, release records and build outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fleet.paths import state_dir

REGISTRY_DIR = "proto-registry"
DISTRIBUTION = "knowledge-protos"
"""The Python distribution every service pins: `pip install knowledge-protos==1.*`."""


@dataclass(frozen=True)
class RegistryLayout:
    """The paths of one checkout's proto registry and of its uncommitted build state."""

    root: Path

    @property
    def registry(self) -> Path:
        return self.root / REGISTRY_DIR

    @property
    def proto_root(self) -> Path:
        """The buf module: every .proto file, laid out as knowledge/<service>/v1/."""
        return self.registry / "proto"

    @property
    def version_file(self) -> Path:
        """The one place the registry's version lives."""
        return self.registry / "VERSION"

    @property
    def topics_file(self) -> Path:
        return self.registry / "topics.yaml"

    @property
    def releases(self) -> Path:
        """One committed directory per released version, holding what was released."""
        return self.registry / "releases"

    @property
    def build(self) -> Path:
        """Build outputs (wheel, TypeScript package, Go module); never committed."""
        return state_dir(self.root) / "protos"

    @property
    def index(self) -> Path:
        """The local PEP 503 package index that `fleet protos publish` fills."""
        return state_dir(self.root) / "index"

    def proto_files(self) -> list[Path]:
        """Every contract file, relative to the proto root, in a stable order."""
        return sorted(
            path.relative_to(self.proto_root) for path in self.proto_root.rglob("*.proto")
        )
