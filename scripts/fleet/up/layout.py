"""Where a local platform run keeps its data, logs and broker, so a second run reuses them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fleet.paths import state_dir


@dataclass(frozen=True)
class UpLayout:
    home: Path

    @classmethod
    def default_home(cls, root: Path) -> Path:
        return state_dir(root) / "up"

    @classmethod
    def at(cls, home: Path) -> UpLayout:
        layout = cls(home=home.resolve())
        for directory in (layout.data, layout.logs, layout.broker):
            directory.mkdir(parents=True, exist_ok=True)
        return layout

    @property
    def data(self) -> Path:
        """One SQLite database per service, and the files a service keeps beside it."""
        return self.home / "data"

    @property
    def logs(self) -> Path:
        """One log file per process: each service, the broker, the edge."""
        return self.home / "logs"

    @property
    def broker(self) -> Path:
        """The broker's KRaft metadata and topic data, kept between runs."""
        return self.home / "kafka"

    @property
    def secrets(self) -> Path:
        """Secrets the run generates once (service accounts'), readable by their owner only."""
        return self.home / "secrets"

    @property
    def edge_config(self) -> Path:
        return self.home / "edge.json"

    @property
    def mails(self) -> Path:
        """What the local SMTP sink received, one .eml file per mail."""
        return self.data / "mails"

    def database_url(self, service: str) -> str:
        return f"sqlite+aiosqlite:///{self.data / service}.db"

    def index_file(self, service: str) -> Path:
        """The in-process vector index a service keeps locally instead of a cluster's Qdrant."""
        return self.data / f"{service}-index.npz"

    def chdb_directory(self, service: str) -> Path:
        """The in-process ClickHouse (chdb) files a service keeps locally instead of a cluster's
        ClickHouse server."""
        return self.data / f"{service}-chdb"

    def log_file(self, process: str) -> Path:
        return self.logs / f"{process}.log"
