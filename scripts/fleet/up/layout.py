"""Where a local platform run keeps its data, logs and broker, so a second run reuses them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fleet.paths import state_dir


@dataclass(frozen=True)
class UpLayout:
    home: Path

    @classmethod
    def for_repository(cls, root: Path) -> UpLayout:
        layout = cls(home=state_dir(root) / "up")
        for directory in (layout.data, layout.logs, layout.broker):
            directory.mkdir(parents=True, exist_ok=True)
        return layout

    @property
    def data(self) -> Path:
        """One SQLite database per service."""
        return self.home / "data"

    @property
    def logs(self) -> Path:
        """One log file per process: each service, the broker, the edge."""
        return self.home / "logs"

    @property
    def broker(self) -> Path:
        return self.home / "kafka"

    def database_url(self, service: str) -> str:
        return f"sqlite+aiosqlite:///{self.data / service}.db"

    def log_file(self, process: str) -> Path:
        return self.logs / f"{process}.log"
