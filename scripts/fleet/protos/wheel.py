"""Writing a pure-Python wheel (PEP 427) from a package tree, byte-for-byte reproducibly."""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

_EPOCH = (1980, 1, 1, 0, 0, 0)
"""Fixed timestamps keep the wheel identical for identical contents."""


@dataclass(frozen=True)
class WheelMetadata:
    """The core metadata (METADATA) of one distribution."""

    name: str
    version: str
    summary: str
    requires_python: str
    requires: tuple[str, ...]
    extras: dict[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""

    @property
    def file_stem(self) -> str:
        """The distribution name as wheel file names spell it (knowledge_protos)."""
        return re.sub(r"[-_.]+", "_", self.name).lower()

    @property
    def wheel_name(self) -> str:
        return f"{self.file_stem}-{self.version}-py3-none-any.whl"

    def render(self) -> str:
        lines = [
            "Metadata-Version: 2.1",
            f"Name: {self.name}",
            f"Version: {self.version}",
            f"Summary: {self.summary}",
            f"Requires-Python: {self.requires_python}",
            *(f"Requires-Dist: {requirement}" for requirement in self.requires),
        ]
        for extra, requirements in sorted(self.extras.items()):
            lines.append(f"Provides-Extra: {extra}")
            lines.extend(f'Requires-Dist: {item}; extra == "{extra}"' for item in requirements)
        lines.append("Description-Content-Type: text/markdown")
        return "\n".join(lines) + "\n\n" + self.description


def write_wheel(package_root: Path, metadata: WheelMetadata, destination: Path) -> Path:
    """Zip every file under `package_root` plus the .dist-info into `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    dist_info = f"{metadata.file_stem}-{metadata.version}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (path.relative_to(package_root).as_posix(), path.read_bytes())
        for path in sorted(package_root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]
    entries.append((f"{dist_info}/METADATA", metadata.render().encode()))
    entries.append(
        (
            f"{dist_info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: fleet protos\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n",
        )
    )
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{dist_info}/RECORD", f"{record}{dist_info}/RECORD,,\n".encode()))
    wheel = destination / metadata.wheel_name
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
