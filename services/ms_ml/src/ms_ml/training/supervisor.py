"""Runs queued jobs (at most `max_concurrent_jobs` at once), each as a process of its own or, in
a cluster, as a Kubernetes Job (cluster.py): its reports kept in its log as they arrive, its
wall-clock limit enforced, a cancel obeyed (SIGTERM then SIGKILL; the Job deleted), and, once it
succeeded, the version it made registered with its held-out metrics. At start, a job left
RUNNING by a service that died is failed or queued again (a process), or followed again or
ended as its Job is found (a Kubernetes Job)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import signal
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from knowledge_kit.aio import first_set

from ..recipes.catalogue import recipe_named
from ..recipes.params import read_params
from .book import JobBook
from .cluster import ClusterJobs
from .config import TrainingConfig
from .jobs import JobState, LogEntry, TrainingJob
from .kube_api import KubernetesApiError
from .kubernetes import cluster_spec, kubernetes_name
from .ports import VersionRegistrar
from .process import kill_worker, orphaned, start_worker, stop, worker_alive

logger = logging.getLogger(__name__)

RUNNING = (JobState.RUNNING,)


@dataclass
class _Run:
    """A job running here: its task, and the event that asks it to stop."""

    task: asyncio.Task[None]
    cancel: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class _Reports:
    """What a job's process reported."""

    outcome: dict[str, Any] | None = None
    error: str = ""


class _Reader:
    """Takes what a job's worker writes, one JSON object a line (worker.py): log lines and
    metric points are kept in the job's log as they come; its outcome or error is remembered."""

    def __init__(self, book: JobBook, name: str, sequence: int, reports: _Reports) -> None:
        self._book = book
        self._name = name
        self._sequence = sequence
        self._metrics: dict[str, float] = {}
        self.reports = reports

    async def take(self, text: str, kept: bool = False) -> None:
        """One line; `kept`: it was kept before (a job followed again after a restart), so only
        an outcome or error in it still counts."""
        try:
            record = json.loads(text)
        except json.JSONDecodeError:
            record = {"log": text}
        if not isinstance(record, dict):
            record = {"log": text}
        if "outcome" in record:
            self.reports.outcome = record["outcome"]
            return
        if "error" in record:
            self.reports.error = str(record["error"])
        if kept:
            return
        self._sequence += 1
        now = self._book.clock()
        if "metric" in record:
            metric = str(record["metric"])
            value = float(record.get("value", 0.0))
            self._metrics[metric] = value
            entry = LogEntry(self._sequence, now, None, metric, int(record.get("step", 0)), value)
            await self._book.report(self._name, [entry], dict(self._metrics))
        elif "error" in record:
            line = f"error: {self.reports.error}"
            await self._book.report(self._name, [LogEntry(self._sequence, now, line)])
        else:
            line = str(record.get("log"))
            await self._book.report(self._name, [LogEntry(self._sequence, now, line)])


class Supervisor:
    def __init__(
        self,
        book: JobBook,
        registrar: VersionRegistrar,
        config: TrainingConfig,
        *,
        host: str | None = None,
        cluster: ClusterJobs | None = None,
    ) -> None:
        self._book = book
        self._registrar = registrar
        self._config = config
        self.host = host or socket.gethostname()
        self._runs: dict[str, _Run] = {}
        self._cluster = cluster

    def attempt_dir(self, job: TrainingJob, attempt: int) -> Path:
        model_id = job.model.split("/")[-1]
        job_id = job.name.split("/")[-1]
        return self._config.work_dir / model_id / job_id / f"attempt-{attempt}"

    # Restart safety.

    async def recover(self) -> None:
        """Fails (or queues again) every job RUNNING on this host whose process is gone; a job
        whose process still runs belongs to another live instance here and is left to it. In a
        cluster: see `_reconcile`."""
        if self._cluster is not None:
            await self._reconcile(self._cluster)
            return
        async with self._book.work() as work:
            running = await work.jobs.in_states(RUNNING)
        for job in running:
            if job.host not in ("", self.host) or job.name in self._runs:
                continue
            spec = self.attempt_dir(job, job.attempts) / "spec.json"
            gone = f"process {job.pid} is gone" if job.pid else "its process never started"
            if worker_alive(job.pid, spec):
                if not orphaned(job.pid):
                    continue  # another instance on this host runs it
                kill_worker(job.pid)
                gone = f"process {job.pid} outlived it and was stopped"
            if self._config.on_restart == "requeue":
                note = f"queued again: the service stopped while it ran ({gone})"
                moved = await self._book.move(
                    job.name, RUNNING, JobState.QUEUED, note, host="", pid=0, start_time=None
                )
            else:
                note = f"failed: the service stopped while it ran ({gone})"
                moved = await self._book.move(
                    job.name,
                    RUNNING,
                    JobState.FAILED,
                    note,
                    error_message=f"the service stopped while the job ran ({gone})",
                    host="",
                    pid=0,
                )
            if moved is not None:
                logger.warning("training job %s %s", job.name, note)

    # The loop.

    async def run(self, stop_event: asyncio.Event) -> None:
        """Claims queued jobs while there is room, until `stop_event`; then stops the jobs
        running here (failed, or queued again, as after a restart)."""
        await self.recover()
        reconciled = time.monotonic()
        try:
            while not stop_event.is_set():
                self._book.signals.work.clear()
                if time.monotonic() - reconciled >= self._config.reconcile_seconds:
                    await self.recover()  # jobs of instances that went away since
                    reconciled = time.monotonic()
                await self._obey_remote_cancels()
                while len(self._runs) < self._config.max_concurrent_jobs:
                    if not await self._claim_one():
                        break
                await first_set(
                    stop_event, self._book.signals.work, seconds=self._config.poll_seconds
                )
        finally:
            await self._stop_all()

    async def _claim_one(self) -> bool:
        async with self._book.work() as work:
            queued = await work.jobs.in_states([JobState.QUEUED], limit=5)
        for job in queued:
            attempt = job.attempts + 1
            claimed = await self._book.move(
                job.name,
                [JobState.QUEUED],
                JobState.RUNNING,
                start_time=self._book.clock(),
                host=self.host,
                pid=0,
                attempts=attempt,
                cancel_requested=False,
            )
            if claimed is not None:
                self._runs[job.name] = _Run(asyncio.create_task(self._run_job(claimed)))
                return True
        return False

    async def _obey_remote_cancels(self) -> None:
        """A cancel asked on another instance reaches the job's process here."""
        if not self._runs:
            return
        async with self._book.work() as work:
            running = await work.jobs.in_states(RUNNING)
        for job in running:
            run = self._runs.get(job.name)
            if run is not None and job.cancel_requested:
                run.cancel.set()

    async def _stop_all(self) -> None:
        for run in self._runs.values():
            run.task.cancel()
        for run in list(self._runs.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await run.task

    # Cancelling.

    def running_here(self, name: str) -> bool:
        return name in self._runs

    async def cancel_here(self, name: str) -> None:
        """Stops the job's process and waits until the job has ended (CANCELLED, or what it
        ended as first)."""
        run = self._runs.get(name)
        if run is not None:
            run.cancel.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(run.task)

    # One job.

    async def _run_job(self, job: TrainingJob, adopted: bool = False) -> None:
        try:
            if self._cluster is not None:
                await self._supervise_in_cluster(self._cluster, job, adopted)
            else:
                await self._supervise(job)
        except asyncio.CancelledError:
            await asyncio.shield(self._abandon(job))
            raise
        except Exception as error:
            logger.exception("training job %s failed in its supervisor", job.name)
            await self._book.move(
                job.name,
                RUNNING,
                JobState.FAILED,
                f"failed: internal error: {error}",
                error_message=f"internal error: {error}",
            )
        finally:
            self._runs.pop(job.name, None)
            self._book.signals.wake_supervisor()

    async def _abandon(self, job: TrainingJob) -> None:
        """The service is stopping: the job is failed or queued again, as after a restart; a
        Kubernetes Job runs on, and is followed again when an instance of the service starts."""
        if self._cluster is not None:
            await self._log(
                job.name,
                [
                    f"{self.host} stopped following it; its Kubernetes Job runs on and is "
                    "followed again when an instance of the service starts"
                ],
            )
            return
        if self._config.on_restart == "requeue":
            await self._book.move(
                job.name,
                RUNNING,
                JobState.QUEUED,
                "queued again: the service stopped while it ran",
                host="",
                pid=0,
                start_time=None,
            )
        else:
            await self._book.move(
                job.name,
                RUNNING,
                JobState.FAILED,
                "failed: the service stopped while it ran",
                error_message="the service stopped while the job ran",
                host="",
                pid=0,
            )

    async def _supervise(self, job: TrainingJob) -> None:
        run = self._runs[job.name]
        recipe = recipe_named(job.recipe)
        if recipe is None:  # a recipe the service no longer has
            await self._fail(job, f"unknown recipe {job.recipe!r}")
            return
        directory = self.attempt_dir(job, job.attempts)
        directory.mkdir(parents=True, exist_ok=True)
        dataset = (
            Path(job.dataset_uri.removeprefix("file://"))
            if job.dataset_uri
            else self._config.dataset_dir or recipe.default_dataset
        )
        spec = directory / "spec.json"
        spec.write_text(
            json.dumps(
                {
                    "job": job.name,
                    "recipe": recipe.name,
                    "params": read_params(recipe.params, job.hyperparameters),
                    "dataset": str(dataset),
                    "output": str(directory / "model"),
                }
            )
        )
        timeout = job.limits.timeout_seconds
        cpu = self._config.cpu_seconds or 2 * timeout + 5  # a backstop behind the wall clock
        await self._log(
            job.name,
            [
                f"attempt {job.attempts} on {self.host}: limits {timeout}s wall clock, "
                f"{cpu}s CPU, {job.limits.memory_bytes // 1024**2} MiB address space"
            ],
        )
        started = time.monotonic()
        process = await start_worker(
            spec,
            memory_bytes=job.limits.memory_bytes,
            cpu_seconds=cpu,
            log=directory / "stderr.log",
        )
        pump: asyncio.Task[None] | None = None
        try:
            await self._book.update(job.name, RUNNING, pid=process.pid)
            reports = _Reports()
            pump = asyncio.create_task(self._pump(job.name, process, reports))
            cancelled = asyncio.create_task(run.cancel.wait())
            done, _ = await asyncio.wait(
                [pump, cancelled], timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            cancelled.cancel()
            if pump not in done:
                await stop(process, self._config.stop_grace_seconds)
                await pump
                if run.cancel.is_set():
                    await self._book.move(
                        job.name,
                        RUNNING,
                        JobState.CANCELLED,
                        "cancelled: its process was stopped",
                        pid=0,
                    )
                else:
                    await self._fail(job, f"ran past its time limit of {timeout}s and was stopped")
                return
            code = await process.wait()
        finally:
            if process.returncode is None:
                await stop(process, self._config.stop_grace_seconds)
            if pump is not None:
                # Its last lines are kept before the job ends (also when the service stops): a
                # line written after the ending's would leave a stream without it.
                await asyncio.wait([pump])
        seconds = time.monotonic() - started
        if run.cancel.is_set():
            await self._book.move(job.name, RUNNING, JobState.CANCELLED, pid=0)
        elif code == 0 and reports.outcome is not None:
            await self._succeed(job, reports.outcome, seconds)
        else:
            reason = reports.error or _exit_reason(
                code, directory / "stderr.log", job.limits.memory_bytes
            )
            await self._fail(job, reason)

    # In a cluster.

    async def _reconcile(self, cluster: ClusterJobs) -> None:
        """Every job RUNNING that no live instance follows (its host is this one, or a pod that
        is gone) is taken over: followed again while its Job is there, running or ended (its
        outcome read from its pod's log), else ended (CANCELLED if a cancel was asked, FAILED).
        An API server that cannot be reached or refuses is logged and tried again later."""
        try:
            async with self._book.work() as work:
                running = await work.jobs.in_states(RUNNING)
            orphans = [
                job
                for job in running
                if job.name not in self._runs
                and (job.host in ("", self.host) or not await cluster.pod_alive(job.host))
            ]
            if not orphans:
                return
            listed = await cluster.listed()
        except (KubernetesApiError, ValueError) as error:
            logger.warning("training jobs in the cluster could not be reconciled: %s", error)
            return
        for job in orphans:
            if not await self._book.update(job.name, RUNNING, host_was=job.host, host=self.host):
                continue  # another instance took it first, or it ended
            if job.name not in listed:
                name = kubernetes_name(job)
                if job.cancel_requested:
                    await self._book.move(
                        job.name,
                        RUNNING,
                        JobState.CANCELLED,
                        f"cancelled: its Kubernetes Job {name} is gone",
                    )
                else:
                    await self._fail(
                        job,
                        f"its Kubernetes Job {name} is gone (deleted, removed after it ended, or "
                        "never created: the service stopped first)",
                    )
                continue
            run = _Run(asyncio.create_task(self._run_job(job, adopted=True)))
            self._runs[job.name] = run
            if job.cancel_requested:
                run.cancel.set()

    async def _supervise_in_cluster(
        self, cluster: ClusterJobs, job: TrainingJob, adopted: bool
    ) -> None:
        run = self._runs[job.name]
        recipe = recipe_named(job.recipe)
        if recipe is None:  # a recipe the service no longer has
            await self._fail(job, f"unknown recipe {job.recipe!r}")
            return
        kept_until = None
        if adopted:
            kept_until = await self._last_entry_time(job.name)
            await self._log(job.name, [f"followed again by {self.host} after a restart"])
        else:
            spec = cluster_spec(job, read_params(recipe.params, job.hyperparameters), recipe.name)
            try:
                created = await cluster.create(job, spec)
            except (KubernetesApiError, ValueError) as error:
                await self._fail(job, f"its Kubernetes Job could not be created: {error}")
                return
            settings = await cluster.settings()
            await self._log(
                job.name,
                [
                    f"attempt {job.attempts}: Kubernetes Job {settings.namespace}/{created}, "
                    f"limits {job.limits.timeout_seconds}s (activeDeadlineSeconds), "
                    f"{job.limits.memory_bytes // 1024**2} MiB memory"
                ],
            )
        reports = _Reports()
        reader = _Reader(self._book, job.name, await self._last_sequence(job.name), reports)
        try:
            ending = await cluster.follow(
                job,
                reader.take,
                run.cancel,
                kept_until=kept_until,
                backstop_seconds=job.limits.timeout_seconds + self._config.cluster_grace_seconds,
            )
        except (KubernetesApiError, ValueError) as error:
            with contextlib.suppress(KubernetesApiError, ValueError):
                await cluster.delete(job)
            await self._fail(job, f"following its Kubernetes Job failed: {error}")
            return
        started = job.start_time or self._book.clock()
        seconds = (self._book.clock() - started).total_seconds()
        if ending.how == "cancelled":
            await self._book.move(
                job.name, RUNNING, JobState.CANCELLED, "cancelled: its Kubernetes Job was deleted"
            )
        elif ending.how == "complete" and reports.outcome is not None:
            await self._succeed(job, reports.outcome, seconds)
        elif ending.how == "complete":
            await self._fail(
                job,
                reports.error
                or "its Kubernetes Job completed, but no model was read from its pod's log "
                "(the pod or its log is gone)",
            )
        else:
            await self._fail(job, reports.error or ending.reason)

    async def _last_entry_time(self, name: str) -> datetime | None:
        async with self._book.work() as work:
            return await work.jobs.last_entry_time(name)

    async def _pump(
        self, name: str, process: asyncio.subprocess.Process, reports: _Reports
    ) -> None:
        """Keeps what the process writes, a line at a time, until its stdout closes."""
        assert process.stdout is not None
        reader = _Reader(self._book, name, await self._last_sequence(name), reports)
        while line := await process.stdout.readline():
            await reader.take(line.decode("utf-8", "replace").rstrip("\n"))

    async def _succeed(self, job: TrainingJob, outcome: dict[str, Any], seconds: float) -> None:
        metrics = {str(k): float(v) for k, v in outcome["metrics"].items()}
        artifact = Path(outcome["artifact"])
        if "artifact_base64" in outcome:  # a worker that shares no file system with us
            artifact = self.attempt_dir(job, job.attempts) / "returned" / artifact.name
            artifact.parent.mkdir(parents=True, exist_ok=True)
            artifact.write_bytes(base64.b64decode(outcome["artifact_base64"]))
        try:
            version = await self._registrar.register_trained_version(
                model=job.model,
                artifact=artifact,
                format=str(outcome["format"]),
                metrics=metrics,
                params=dict(job.hyperparameters),
                training_job=job.name,
                description=str(outcome["description"]),
                actor=job.creator,
            )
        except Exception as error:
            logger.exception("registering the version of training job %s failed", job.name)
            await self._fail(job, f"registering its model version failed: {error}")
            return
        await self._book.move(
            job.name,
            RUNNING,
            JobState.SUCCEEDED,
            f"registered {version} ({seconds:.1f}s)",
            model_version=version,
            metrics=metrics,
            pid=0,
        )

    async def _fail(self, job: TrainingJob, reason: str) -> None:
        await self._book.move(
            job.name, RUNNING, JobState.FAILED, f"failed: {reason}", error_message=reason, pid=0
        )

    async def _last_sequence(self, name: str) -> int:
        async with self._book.work() as work:
            return await work.jobs.last_sequence(name)

    async def _log(self, name: str, lines: list[str]) -> None:
        sequence = await self._last_sequence(name)
        now = self._book.clock()
        await self._book.report(
            name, [LogEntry(sequence + i, now, line) for i, line in enumerate(lines, 1)]
        )


def _exit_reason(code: int, stderr: Path, memory_bytes: int) -> str:
    """Why a process that reported no error ended, from its status and its stderr."""
    errors = ""
    with contextlib.suppress(OSError):
        errors = stderr.read_text(errors="replace")
    lines = [line for line in errors.splitlines() if line.strip()]
    last = f": {lines[-1][:300]}" if lines else ""
    if "memory allocation" in errors or "MemoryError" in errors:
        return f"ran out of memory (its limit: {memory_bytes // 1024**2} MiB){last}"
    if code < 0:
        sent = signal.Signals(-code)
        if sent == signal.SIGKILL:
            return "its process was killed (SIGKILL; a memory or CPU limit, or the system)"
        if sent == signal.SIGXCPU:
            return "its process ran out of CPU time (its CPU limit)"
        return f"its process was stopped by {sent.name}{last}"
    return f"its process exited with status {code}{last}"
