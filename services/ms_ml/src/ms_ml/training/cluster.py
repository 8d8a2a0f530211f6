"""Training jobs as Kubernetes Jobs (the service running in a cluster): a job's Job is created
through the API server, followed (its status from the Job's conditions, its reports from its
pod's log), deleted when the job is cancelled, and found again by label when the service starts.

The service account's Role (the chart's `kubernetes_jobs` reach) grants exactly the calls made
here: jobs create (a job starts), get and watch (its status), list (finding them again), delete
(cancel); pods get (the service's own pod: its image and release; a pod's end), list and watch
(a job's pod, to read its log); pods/log get (the reports)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from .jobs import TrainingJob
from .kube_api import KubeApi, KubernetesApiError
from .kubernetes import (
    COMPONENT,
    NAME_ANNOTATION,
    ClusterJobSettings,
    kubernetes_name,
    render_job,
)

logger = logging.getLogger(__name__)

CONTAINER = "train"
POD_JOB_LABEL = "batch.kubernetes.io/job-name"
WATCH_SECONDS = 240
RETRY_SECONDS = (0.5, 1, 2, 5, 10)

ROLE_RULES: list[dict[str, list[str]]] = [
    {
        "apiGroups": ["batch"],
        "resources": ["jobs"],
        "verbs": ["create", "get", "list", "watch", "delete"],
    },
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
]
"""The Role rules the calls made here need, no more (the chart's kubernetes_jobs reach grants
these)."""

Feed = Callable[[str, bool], Awaitable[None]]
"""Takes one line the worker wrote; the flag: the line was already kept before a restart (only
its outcome or error still counts)."""


@dataclass(frozen=True, slots=True)
class Ending:
    """How a job's Job ended, as the service sees it."""

    how: Literal["complete", "failed", "cancelled"]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ClusterPlacement:
    """Where the service's Jobs go, as far as the settings say (the rest from its own pod)."""

    namespace: str = ""
    release: str = ""
    image: str = ""


def being_deleted(job: Mapping[str, Any]) -> bool:
    """Whether the Job is on its way out (deleted, its finalizers still to run) before it ended."""
    return bool(job["metadata"].get("deletionTimestamp")) and finished(job) is None


def finished(job: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The Job's final condition (Complete or Failed) that is true: (type, reason, message)."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return (
                str(condition["type"]),
                str(condition.get("reason", "")),
                str(condition.get("message", "")),
            )
    return None


def failure_reason(reason: str, message: str, timeout_seconds: int) -> str:
    """Why a Job failed, in the words of a job's error."""
    if reason == "DeadlineExceeded":
        return (
            f"ran past its time limit of {timeout_seconds}s and was stopped by Kubernetes "
            f"(DeadlineExceeded: {message or 'the Job was active longer than its deadline'})"
        )
    return f"its Kubernetes Job failed ({reason or 'no reason given'}: {message or 'no message'})"


_STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d) (.*)$", re.S)


def split_stamp(line: str) -> tuple[datetime | None, str]:
    """A pods/log line with timestamps=true: its time and its text."""
    found = _STAMP.match(line)
    if found is None:
        return None, line
    seconds, fraction, zone, text = found.groups()
    stamp = f"{seconds}.{(fraction or '0')[:6].ljust(6, '0')}{'+00:00' if zone == 'Z' else zone}"
    return datetime.fromisoformat(stamp).astimezone(UTC), text


class ClusterJobs:
    """The service's training Jobs in its namespace."""

    def __init__(
        self,
        api: KubeApi,
        placement: ClusterPlacement,
        *,
        log_grace_seconds: float = 30.0,
        own_pod: str | None = None,
        logs: LogSource | None = None,
    ) -> None:
        """`logs`: where the pods' logs are read (their pods/log through `api`, unless given)."""
        self.api = api
        self._logs = logs or PodLogs(api)
        self._placement = placement
        self._settings: ClusterJobSettings | None = None
        self._log_grace = log_grace_seconds
        self._own_pod = own_pod if own_pod is not None else socket.gethostname()

    async def settings(self) -> ClusterJobSettings:
        """The namespace, release and image of the Jobs: the settings', else the service's own
        pod's (its namespace, its app.kubernetes.io/instance label, its first container's image).
        Raises KubernetesApiError or ValueError when they cannot be found."""
        if self._settings is not None:
            return self._settings
        placement = self._placement
        namespace = placement.namespace or self.api.connection.namespace
        if not namespace:
            raise ValueError(
                "no namespace for training Jobs: set MS_ML_TRAINING_NAMESPACE (in a pod it is "
                "the service account's)"
            )
        release, image = placement.release, placement.image
        if not release or not image:
            pod = await self.api.get_pod(namespace, self._own_pod)
            labels = pod["metadata"].get("labels") or {}
            release = release or labels.get("app.kubernetes.io/instance", "")
            image = image or pod["spec"]["containers"][0]["image"]
            if not release:
                raise ValueError(
                    f"pod {namespace}/{self._own_pod} has no app.kubernetes.io/instance label: "
                    "set MS_ML_TRAINING_RELEASE"
                )
        self._settings = ClusterJobSettings(namespace=namespace, release=release, image=image)
        return self._settings

    def selector(self, settings: ClusterJobSettings) -> str:
        return (
            f"app.kubernetes.io/managed-by=ms-ml,app.kubernetes.io/component={COMPONENT},"
            f"app.kubernetes.io/instance={settings.release}"
        )

    async def create(self, job: TrainingJob, spec: dict[str, Any]) -> str:
        """Creates the job's Job; its name."""
        settings = await self.settings()
        created = await self.api.create_job(settings.namespace, render_job(settings, job, spec))
        return str(created["metadata"]["name"])

    async def listed(self) -> dict[str, dict[str, Any]]:
        """The service's Jobs by the training job they run (its resource name)."""
        settings = await self.settings()
        found = await self.api.list_jobs(settings.namespace, self.selector(settings))
        return {
            str(item["metadata"].get("annotations", {}).get(NAME_ANNOTATION, "")): item
            for item in found.get("items") or []
            if not being_deleted(item)
        }

    async def delete(self, job: TrainingJob) -> bool:
        """Deletes the job's Job (its pod in the background); False when it was gone."""
        settings = await self.settings()
        try:
            await self.api.delete_job(settings.namespace, kubernetes_name(job))
        except KubernetesApiError as error:
            if error.status == 404:
                return False
            raise
        return True

    async def pod_alive(self, name: str) -> bool:
        """Whether a pod of that name runs in the namespace (another instance of the service);
        when the API cannot tell, it is taken to run (its job is not taken from it)."""
        settings = await self.settings()
        try:
            pod = await self.api.get_pod(settings.namespace, name)
        except KubernetesApiError as error:
            if error.status == 404:
                return False
            logger.warning("could not tell whether pod %s runs: %s", name, error)
            return True
        if pod["metadata"].get("deletionTimestamp"):
            return False
        return (pod.get("status") or {}).get("phase") in ("Pending", "Running", None)

    # Following a job.

    async def follow(
        self,
        job: TrainingJob,
        feed: Feed,
        cancel: asyncio.Event,
        *,
        kept_until: datetime | None = None,
        backstop_seconds: float,
    ) -> Ending:
        """Follows the job's Job until it has ended, feeding its pod's log lines to `feed` (those
        written before `kept_until` flagged as kept: the log is read from its start, so that its
        outcome is read however long before `kept_until` the worker wrote it); deletes it when
        `cancel` is set or when it outlives `backstop_seconds` (its own deadline should have ended
        it first)."""
        settings = await self.settings()
        name = kubernetes_name(job)
        log = asyncio.create_task(self._read_log(settings.namespace, name, feed, kept_until))
        status = asyncio.create_task(self._until_finished(settings.namespace, name))
        cancelled = asyncio.create_task(cancel.wait())
        try:
            done, _ = await asyncio.wait(
                [status, cancelled], timeout=backstop_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            if status in done:
                final = status.result()
                if final is None:
                    return Ending(
                        "failed", f"its Kubernetes Job {name} was deleted before it ended"
                    )
                kind, reason, message = final
                await self._finish_reading(log)
                if kind == "Complete":
                    return Ending("complete")
                return Ending(
                    "failed",
                    await self._pod_failure(settings.namespace, name)
                    or failure_reason(reason, message, job.limits.timeout_seconds),
                )
            await self.delete(job)
            if cancelled in done:
                return Ending("cancelled")
            return Ending(
                "failed",
                f"its Kubernetes Job {name} was still running {backstop_seconds:.0f}s after it "
                "started and was deleted",
            )
        finally:
            for task in (log, status, cancelled):
                task.cancel()
            for task in (log, status, cancelled):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _finish_reading(self, log: asyncio.Task[None]) -> None:
        """The Job has ended: what its pod wrote is read to its end (within the grace)."""
        with contextlib.suppress(TimeoutError, Exception):
            await asyncio.wait_for(asyncio.shield(log), self._log_grace)
        if log.done() and not log.cancelled() and log.exception() is not None:
            logger.warning("reading a training pod's log failed: %s", log.exception())

    async def _until_finished(self, namespace: str, name: str) -> tuple[str, str, str] | None:
        """Watches the Job until its final condition (None: it was deleted first). Lost
        connections and expired watches are resumed; a refusal (403, say) is raised."""
        failures = 0
        while True:
            try:
                try:
                    current = await self.api.get_job(namespace, name)
                except KubernetesApiError as error:
                    if error.status == 404:
                        return None
                    raise
                if (final := finished(current)) is not None:
                    return final
                if being_deleted(current):
                    return None
                version = str(current["metadata"].get("resourceVersion", ""))
                async for event in self.api.watch_jobs(
                    namespace, f"metadata.name={name}", version, WATCH_SECONDS
                ):
                    failures = 0
                    if event["type"] == "DELETED":
                        return None
                    final = finished(event["object"])
                    if event["type"] in ("ADDED", "MODIFIED") and final is not None:
                        return final
                    if event["type"] == "MODIFIED" and being_deleted(event["object"]):
                        return None
            except KubernetesApiError as error:
                if not _passing(error):
                    raise
                await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1

    async def _read_log(
        self, namespace: str, name: str, feed: Feed, kept_until: datetime | None
    ) -> None:
        """Feeds the Job's pod's log to `feed`, the lines written before `kept_until` flagged.

        Always from the log's start: `kept_until` is when the service last kept something (its
        own "stopped following" line, say), which can be well after the worker wrote its outcome,
        and a log read from there (pods/log's sinceTime) would no longer hold it."""
        async for line in self._logs.lines(namespace, name):
            stamp, text = split_stamp(line)
            await feed(text, stamp is not None and kept_until is not None and stamp <= kept_until)

    async def _pod_failure(self, namespace: str, name: str) -> str:
        """Why the Job's pod failed when its container says (OOMKilled, an exit status)."""
        try:
            listed = await self.api.list_pods(namespace, f"{POD_JOB_LABEL}={name}")
        except KubernetesApiError:
            return ""
        for pod in listed.get("items") or []:
            for status in (pod.get("status") or {}).get("containerStatuses") or []:
                ended = (status.get("state") or {}).get("terminated")
                if status.get("name") != CONTAINER or not ended:
                    continue
                if ended.get("reason") == "OOMKilled":
                    limit = _memory_limit(pod)
                    return f"ran out of memory: its container was OOMKilled (its limit: {limit})"
                if ended.get("exitCode"):
                    detail = ended.get("message") or ended.get("reason") or ""
                    return f"its container exited with status {ended['exitCode']} {detail}".strip()
        return ""


class LogSource(Protocol):
    """Where a Job's pod's log is read."""

    def lines(self, namespace: str, job: str) -> AsyncIterator[str]:
        """The log of the Job's pod, a line at a time, each `<RFC 3339 time> <text>`, from its
        start until its container has ended."""
        ...


class PodLogs:
    """The log of a Job's pod through the API server (pods list/watch/get, pods/log get with
    follow): once the pod's container has started, to its end, followed again from the last
    line read if the stream breaks while the container still runs."""

    def __init__(self, api: KubeApi) -> None:
        self.api = api

    async def lines(self, namespace: str, job: str) -> AsyncIterator[str]:
        last: datetime | None = None
        failures = 0
        while True:
            try:
                pod = await self._started_pod(namespace, job)
                async for line in self.api.follow_log(
                    namespace,
                    pod,
                    CONTAINER,
                    since_time=last.strftime("%Y-%m-%dT%H:%M:%SZ") if last else "",
                ):
                    failures = 0
                    stamp, _ = split_stamp(line)
                    if stamp is not None and last is not None and stamp <= last:
                        continue  # read before the stream broke
                    yield line
                    if stamp is not None and (last is None or stamp > last):
                        last = stamp
                if await self._container_ended(namespace, pod):
                    return
            except KubernetesApiError as error:
                if not _passing(error) and error.status not in (400, 404):
                    raise
                await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1

    async def _started_pod(self, namespace: str, name: str) -> str:
        """The Job's pod whose container has started (running or ended), once there is one."""
        selector = f"{POD_JOB_LABEL}={name}"
        while True:
            listed = await self.api.list_pods(namespace, selector)
            for pod in listed.get("items") or []:
                if _container_state(pod) in ("running", "terminated"):
                    return str(pod["metadata"]["name"])
            version = str(listed["metadata"].get("resourceVersion", ""))
            async for event in self.api.watch_pods(namespace, selector, version, WATCH_SECONDS):
                if event["type"] in ("ADDED", "MODIFIED"):
                    pod = event["object"]
                    if _container_state(pod) in ("running", "terminated"):
                        return str(pod["metadata"]["name"])

    async def _container_ended(self, namespace: str, pod: str) -> bool:
        try:
            found = await self.api.get_pod(namespace, pod)
        except KubernetesApiError as error:
            if error.status == 404:
                return True
            raise
        return _container_state(found) == "terminated"


def _container_state(pod: Mapping[str, Any]) -> str:
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == CONTAINER:
            for state in ("terminated", "running", "waiting"):
                if (status.get("state") or {}).get(state) is not None:
                    return state
    return ""


def _memory_limit(pod: Mapping[str, Any]) -> str:
    for container in pod["spec"]["containers"]:
        if container["name"] == CONTAINER:
            memory = container.get("resources", {}).get("limits", {}).get("memory", "")
            return f"{int(memory) // 1024**2} MiB" if str(memory).isdigit() else str(memory)
    return "unknown"


def _passing(error: KubernetesApiError) -> bool:
    """A failure that calls for trying again: no connection, an expired watch, a busy server."""
    return error.status in (0, 410, 429) or error.status >= 500


def in_a_pod() -> bool:
    """Whether the service runs in a Kubernetes pod with a service account token."""
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and os.path.exists(
        "/var/run/secrets/kubernetes.io/serviceaccount/token"
    )
