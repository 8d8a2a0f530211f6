"""How training jobs run here, from the service's settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    work_dir: Path
    max_concurrent_jobs: int = 1
    default_timeout_seconds: int = 600
    max_timeout_seconds: int = 3600
    default_memory_bytes: int = 2 * 1024**3
    max_memory_bytes: int = 8 * 1024**3
    # CPU seconds a job may use; 0: twice its timeout and 5 s (the wall clock stops it first).
    cpu_seconds: int = 0
    # The dataset of a job that names none; None: its recipe's own.
    dataset_dir: Path | None = None
    on_restart: Literal["fail", "requeue"] = "fail"
    # From SIGTERM to SIGKILL when a job is stopped.
    stop_grace_seconds: float = 5.0
    # How often the supervisor looks for work other instances queued.
    poll_seconds: float = 1.0
    # In a cluster: how often jobs of instances that went away are looked for, and how long
    # after its own deadline a Job still running is deleted by the service.
    reconcile_seconds: float = 30.0
    cluster_grace_seconds: float = 120.0
    # Where jobs run (settings.py's training_backend, "auto" resolved) and, in a cluster, the
    # kubeconfig (empty: the pod's service account) and the Jobs' namespace, release and image
    # (empty: the service's own pod's).
    backend: Literal["local", "kubernetes"] = "local"
    kubeconfig: str = ""
    namespace: str = ""
    release: str = ""
    image: str = ""
