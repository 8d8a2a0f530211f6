"""Training's part of the composition root: its servicer and its supervisor, from the settings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from knowledge.ml.v1 import training_service_pb2_grpc
from knowledge_kit.api import Clock, PageTokens, utc_now
from knowledge_kit.events import Outbox
from knowledge_kit.runtime import Registration
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..config import Settings
from .book import JobBook
from .cluster import ClusterJobs, ClusterPlacement, in_a_pod
from .config import TrainingConfig
from .kube_api import KubeApi, in_cluster_connection, kubeconfig_connection
from .ports import VersionRegistrar
from .servicer import TrainingServicer
from .signals import JobSignals
from .supervisor import Supervisor
from .use_cases import TrainingUseCases


def training_config(settings: Settings) -> TrainingConfig:
    return TrainingConfig(
        work_dir=Path(settings.training_work_dir).resolve(),
        max_concurrent_jobs=settings.training_max_concurrent_jobs,
        default_timeout_seconds=settings.training_default_timeout_seconds,
        max_timeout_seconds=settings.training_max_timeout_seconds,
        default_memory_bytes=settings.training_default_memory_bytes,
        max_memory_bytes=settings.training_max_memory_bytes,
        cpu_seconds=settings.training_cpu_seconds,
        dataset_dir=Path(settings.training_dataset_dir) if settings.training_dataset_dir else None,
        on_restart=settings.training_on_restart,
        backend=(
            ("kubernetes" if in_a_pod() else "local")
            if settings.training_backend == "auto"
            else settings.training_backend
        ),
        kubeconfig=settings.training_kubeconfig,
        namespace=settings.training_namespace,
        release=settings.training_release,
        image=settings.training_image,
    )


def cluster_jobs(config: TrainingConfig) -> ClusterJobs | None:
    """The Kubernetes backend when jobs run in a cluster (None: as local processes)."""
    if config.backend != "kubernetes":
        return None
    connection = (
        kubeconfig_connection(Path(config.kubeconfig))
        if config.kubeconfig
        else in_cluster_connection()
    )
    return ClusterJobs(
        KubeApi(connection),
        ClusterPlacement(namespace=config.namespace, release=config.release, image=config.image),
    )


@dataclass(frozen=True, slots=True)
class Training:
    """What main.py adds to the service's parts: `registration` to its servicers and
    `supervisor` (async (stop) -> None) to its background tasks."""

    use_cases: TrainingUseCases
    supervisor: Supervisor
    registration: Registration

    @property
    def background(self) -> Callable[[asyncio.Event], Awaitable[None]]:
        return self.supervisor.run


def training_parts(
    config: TrainingConfig,
    sessions: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    registrar: VersionRegistrar,
    pages: PageTokens,
    *,
    clock: Clock = utc_now,
    host: str | None = None,
    cluster: ClusterJobs | None = None,
) -> Training:
    """`cluster`: the Kubernetes backend to use, else the one the config names (if any)."""
    book = JobBook(sessions, outbox, JobSignals(), clock)
    supervisor = Supervisor(
        book, registrar, config, host=host, cluster=cluster or cluster_jobs(config)
    )
    use_cases = TrainingUseCases(book, supervisor, config, pages)
    return Training(
        use_cases,
        supervisor,
        (
            training_service_pb2_grpc.add_TrainingServiceServicer_to_server,
            TrainingServicer(use_cases),
        ),
    )
