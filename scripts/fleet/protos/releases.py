"""Release records: what each released version contained, committed so any clone can run the gate.

proto-registry/releases/<version>/image.binpb   the compiled contracts (buf image, no comments)
proto-registry/releases/<version>/SOURCES.sha256 a checksum of every .proto file
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2

from fleet.errors import FleetError
from fleet.protos.buf import write_image
from fleet.protos.layout import RegistryLayout
from fleet.protos.semver import Version

IMAGE_NAME = "image.binpb"
SOURCES_NAME = "SOURCES.sha256"
_WELL_KNOWN_PREFIX = "google/protobuf/"


@dataclass(frozen=True)
class Release:
    version: Version
    directory: Path

    @property
    def image(self) -> Path:
        return self.directory / IMAGE_NAME

    @property
    def sources(self) -> Path:
        return self.directory / SOURCES_NAME


def releases(layout: RegistryLayout) -> list[Release]:
    """Every recorded release, oldest first."""
    if not layout.releases.is_dir():
        return []
    found = []
    for directory in layout.releases.iterdir():
        if not directory.is_dir():
            continue
        version = Version.parse(directory.name, where=f"releases/{directory.name}")
        release = Release(version, directory)
        if not release.image.is_file():
            raise FleetError(f"releases/{directory.name} has no {IMAGE_NAME}; the record is broken")
        found.append(release)
    return sorted(found, key=lambda release: release.version)


def last_release(layout: RegistryLayout) -> Release | None:
    recorded = releases(layout)
    return recorded[-1] if recorded else None


def sources_checksums(layout: RegistryLayout) -> str:
    """`sha256  path` per contract file, like sha256sum prints it."""
    return "".join(
        f"{hashlib.sha256((layout.proto_root / path).read_bytes()).hexdigest()}  {path.as_posix()}\n"
        for path in layout.proto_files()
    )


def record_release(layout: RegistryLayout, version: Version) -> Release:
    """Write the record of `version` from the current contracts; a record is never rewritten."""
    directory = layout.releases / str(version)
    if directory.exists():
        raise FleetError(
            f"releases/{version} is already recorded; a released version never changes"
        )
    staging = layout.releases / f".{version}.partial"
    staging.mkdir(parents=True, exist_ok=True)
    write_image(layout, staging / IMAGE_NAME)
    (staging / SOURCES_NAME).write_text(sources_checksums(layout), encoding="utf-8")
    staging.replace(directory)
    return Release(version, directory)


def contracts_of_image(image: Path) -> bytes:
    """The registry's own files of an image, canonical: comparable across buf versions."""
    descriptors = descriptor_pb2.FileDescriptorSet.FromString(image.read_bytes())
    files = []
    for file in descriptors.file:
        if file.name.startswith(_WELL_KNOWN_PREFIX):
            continue
        file.DiscardUnknownFields()
        file.ClearField("source_code_info")
        files.append(file)
    canonical = descriptor_pb2.FileDescriptorSet(file=sorted(files, key=lambda file: file.name))
    return canonical.SerializeToString(deterministic=True)
