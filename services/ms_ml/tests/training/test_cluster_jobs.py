"""Training jobs as Kubernetes Jobs, against a real kube-apiserver (and etcd) with RBAC: the
service's calls are made as a user bound to a Role of exactly the rules the backend declares
(the chart's), so the server's validation and authorization both have their say.

Nothing runs pods here (no kubelet, no controller manager): the tests play the Job controller by
writing the Job's status subresource, and, where a job must succeed, the kubelet's part by
running the container's command from the Job the server holds (the real worker) and handing its
output to the backend as the pod's log would be. Reading pods/log itself through the API server
is not proved here."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import yaml
from knowledge_kit.api import PageTokens
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.main import MlParts
from ms_ml.service.registry import ModelFields, Registry
from ms_ml.training.cluster import ROLE_RULES, ClusterJobs, ClusterPlacement
from ms_ml.training.config import TrainingConfig
from ms_ml.training.jobs import JobState, LogEntry, TrainingJob
from ms_ml.training.kube_api import KubeApi, kubeconfig_connection
from ms_ml.training.kubernetes import (
    NAME_ANNOTATION,
    ClusterJobSettings,
    kubernetes_name,
    render_job,
)
from ms_ml.training.parts import Training, training_parts

from .conftest import MODEL, OWNER
from .helpers import reranker_job, wait_for_state
from .kube_api_server import (
    NOBODY_TOKEN,
    SERVICE_TOKEN,
    SERVICE_USER,
    ApiServer,
    ToolsUnavailable,
    built_tools,
    running_api_server,
)

IMAGE = "registry.example/ms-ml:1.2.3"
CHART_VALUES = Path(__file__).parents[4] / "platform-charts" / "services" / "ms-ml" / "values.yaml"


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    try:
        built_tools()
    except ToolsUnavailable as error:
        pytest.skip(str(error))
    with running_api_server(tmp_path_factory.mktemp("kube")) as server:
        yield server


@pytest_asyncio.fixture
async def admin(api_server: ApiServer) -> AsyncIterator[httpx.AsyncClient]:
    async with api_server.admin() as client:
        yield client


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code < 300, response.text
    found: dict[str, Any] = response.json()
    return found


@pytest_asyncio.fixture
async def namespace(admin: httpx.AsyncClient) -> str:
    """A namespace of the test's own, where the service's user has the backend's Role."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    await _ok(
        await admin.post(
            "/api/v1/namespaces", json={"metadata": {"name": name}, "apiVersion": "v1"}
        )
    )
    rbac = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{name}"
    await _ok(
        await admin.post(f"{rbac}/roles", json={"metadata": {"name": "ms-ml"}, "rules": ROLE_RULES})
    )
    await _ok(
        await admin.post(
            f"{rbac}/rolebindings",
            json={
                "metadata": {"name": "ms-ml"},
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "Role",
                    "name": "ms-ml",
                },
                "subjects": [
                    {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": SERVICE_USER}
                ],
            },
        )
    )
    # The "default" account the ServiceAccount admission plugin gives pods (no controller
    # manager makes it here).
    await _ok(
        await admin.post(
            f"/api/v1/namespaces/{name}/serviceaccounts", json={"metadata": {"name": "default"}}
        )
    )
    return name


def _jobs(namespace: str) -> str:
    return f"/apis/batch/v1/namespaces/{namespace}/jobs"


async def _wait_for_kubernetes_job(
    admin: httpx.AsyncClient, namespace: str, name: str
) -> dict[str, Any]:
    for _ in range(600):
        found = await admin.get(f"{_jobs(namespace)}/{name}")
        if found.status_code == 200:
            body: dict[str, Any] = found.json()
            return body
        await asyncio.sleep(0.1)
    pytest.fail(f"Job {namespace}/{name} was never created")


async def _end_job(
    admin: httpx.AsyncClient, namespace: str, name: str, how: str, reason: str = ""
) -> None:
    """What the Job controller writes when the Job's pod succeeded or failed (its deadline)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if how == "Complete":
        status = {
            "startTime": now,
            "completionTime": now,
            "succeeded": 1,
            "conditions": [
                {
                    "type": "SuccessCriteriaMet",
                    "status": "True",
                    "lastTransitionTime": now,
                    "reason": "CompletionsReached",
                    "message": "Reached expected number of succeeded pods",
                },
                {
                    "type": "Complete",
                    "status": "True",
                    "lastTransitionTime": now,
                    "reason": "CompletionsReached",
                    "message": "Reached expected number of succeeded pods",
                },
            ],
        }
    else:
        message = "Job was active longer than specified deadline"
        status = {
            "startTime": now,
            "failed": 1,
            "conditions": [
                {
                    "type": "FailureTarget",
                    "status": "True",
                    "lastTransitionTime": now,
                    "reason": reason,
                    "message": message,
                },
                {
                    "type": "Failed",
                    "status": "True",
                    "lastTransitionTime": now,
                    "reason": reason,
                    "message": message,
                },
            ],
        }
    await _ok(
        await admin.patch(
            f"{_jobs(namespace)}/{name}/status",
            content=json.dumps({"status": status}),
            headers={"Content-Type": "application/merge-patch+json"},
        )
    )


class ContainerRuns:
    """The kubelet's part for the tests: runs the container of the Job the API server holds
    (its command, arguments and environment: the real worker) on this machine, its /tmp a
    directory of its own, and gives its output as the pod's log (each line with its time); read
    again, the ended container's log is the same lines with the same times, from its start."""

    def __init__(self, admin: httpx.AsyncClient, scratch: Path) -> None:
        self._admin = admin
        self._scratch = scratch
        self.finished: dict[str, asyncio.Event] = {}
        self.logs: dict[str, list[str]] = {}

    def done(self, job: str) -> asyncio.Event:
        return self.finished.setdefault(job, asyncio.Event())

    async def lines(self, namespace: str, job: str) -> AsyncIterator[str]:
        if job in self.logs:
            await self.done(job).wait()
            for kept in self.logs[job]:
                yield kept
            return
        self.logs[job] = []
        held = await _ok(await self._admin.get(f"{_jobs(namespace)}/{job}"))
        container = held["spec"]["template"]["spec"]["containers"][0]
        environment = {item["name"]: item["value"] for item in container["env"]}
        tmp = self._scratch / job
        tmp.mkdir(parents=True, exist_ok=True)
        spec = json.loads(environment["MS_ML_TRAINING_SPEC"])
        spec["output"] = str(tmp / "model")
        environment["MS_ML_TRAINING_SPEC"] = json.dumps(spec)
        environment["HOME"] = str(tmp)
        assert container["command"][:1] == ["python"]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *container["command"][1:],
            *container["args"],
            env={**os.environ, **environment},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=16 * 1024 * 1024,
        )
        assert process.stdout is not None
        try:
            while line := await process.stdout.readline():
                now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                self.logs[job].append(f"{now} {line.decode().rstrip()}")
                yield self.logs[job][-1]
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            self.done(job).set()


class ClusterServices:
    """Instances of the service on the cluster backend, each a supervisor running until the test
    ends or `stop` (a pod of the service going away)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ml: MlParts,
        config: TrainingConfig,
        api_server: ApiServer,
        namespace: str,
    ) -> None:
        self._sessions = sessions
        self._ml = ml
        self._config = config
        self._api_server = api_server
        self._namespace = namespace
        self._running: dict[int, tuple[asyncio.Event, asyncio.Task[None], KubeApi]] = {}

    async def start(
        self,
        host: str = "ms-ml-0",
        logs: ContainerRuns | None = None,
        token: str = SERVICE_TOKEN,
        placement: ClusterPlacement | None = None,
        log_grace_seconds: float = 60.0,
    ) -> Training:
        """An instance in pod `host` (made here: its image and release label are the service's)
        as the service's user (`token`) through a kubeconfig."""
        async with self._api_server.admin() as admin:
            await _ok(
                await admin.post(
                    f"/api/v1/namespaces/{self._namespace}/pods",
                    json={
                        "metadata": {
                            "name": host,
                            "labels": {"app.kubernetes.io/instance": "ms-ml"},
                        },
                        "spec": {
                            "automountServiceAccountToken": False,
                            "containers": [{"name": "ms-ml", "image": IMAGE}],
                        },
                    },
                )
            )
        api = KubeApi(kubeconfig_connection(self._api_server.kubeconfig(token, self._namespace)))
        cluster = ClusterJobs(
            api,
            placement or ClusterPlacement(release="ms-ml", image=IMAGE),
            log_grace_seconds=log_grace_seconds,
            own_pod=host,
            logs=logs,
        )
        training = training_parts(
            self._config,
            self._sessions,
            Outbox("ms_ml"),
            self._ml.registration,
            PageTokens(b"tests"),
            host=host,
            cluster=cluster,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(training.supervisor.run(stop))
        self._running[id(training)] = (stop, task, api)
        return training

    async def stop(self, training: Training) -> None:
        """The instance stops and its pod is gone."""
        stop, task, api = self._running.pop(id(training))
        stop.set()
        await asyncio.wait_for(task, 30)
        await api.close()
        async with self._api_server.admin() as admin:
            pod = f"/api/v1/namespaces/{self._namespace}/pods/{training.supervisor.host}"
            await _ok(await admin.delete(pod))

    def all_running(self) -> bool:
        return all(not task.done() for _, task, _ in self._running.values())

    async def stop_all(self) -> None:
        for key in list(self._running):
            stop, task, api = self._running.pop(key)
            stop.set()
            await asyncio.wait_for(task, 30)
            await api.close()


@pytest_asyncio.fixture
async def services(
    sessions: async_sessionmaker[AsyncSession],
    registry: Registry,
    ml: MlParts,
    training_config: TrainingConfig,
    api_server: ApiServer,
    namespace: str,
) -> AsyncIterator[ClusterServices]:
    await registry.create_model("reranker", ModelFields(task="reranking"), OWNER)
    config = replace(
        training_config,
        backend="kubernetes",
        max_concurrent_jobs=3,
        reconcile_seconds=1.0,
        cluster_grace_seconds=60.0,
    )
    running = ClusterServices(sessions, ml, config, api_server, namespace)
    yield running
    await running.stop_all()


async def _entries(training: Training, name: str) -> list[LogEntry]:
    async with training.supervisor._book.work() as work:
        return await work.jobs.entries_after(name, 0, 10_000)


def _kube_name(job: TrainingJob) -> str:
    return kubernetes_name(job)


async def test_a_job_runs_as_a_kubernetes_job_and_registers_its_version_when_the_job_completes(
    services: ClusterServices,
    admin: httpx.AsyncClient,
    namespace: str,
    tmp_path: Path,
) -> None:
    containers = ContainerRuns(admin, tmp_path / "pods")
    training = await services.start(
        host="ms-ml-7d9f", logs=containers, placement=ClusterPlacement()
    )
    job = await training.use_cases.create(MODEL, reranker_job(), "first", OWNER)
    held = await _wait_for_kubernetes_job(admin, namespace, _kube_name(job))

    assert held["metadata"]["annotations"][NAME_ANNOTATION] == job.name
    assert held["metadata"]["labels"]["app.kubernetes.io/instance"] == "ms-ml"
    assert held["spec"]["activeDeadlineSeconds"] == job.limits.timeout_seconds
    assert held["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE
    await asyncio.wait_for(containers.done(_kube_name(job)).wait(), 300)
    await _end_job(admin, namespace, _kube_name(job), "Complete")

    done = await wait_for_state(training.use_cases, job.name, JobState.SUCCEEDED, seconds=120)
    assert done.model_version.startswith(f"{MODEL}/versions/")
    assert done.metrics["mrr_at_10"] > 0
    entries = await _entries(training, job.name)
    lines = [entry.line for entry in entries if entry.line]
    assert any(line.startswith(f"attempt 1: Kubernetes Job {namespace}/") for line in lines)
    assert any(entry.metric for entry in entries)
    assert any(line.startswith(f"registered {done.model_version}") for line in lines)


async def test_a_job_past_its_deadline_fails_saying_so(
    services: ClusterServices, admin: httpx.AsyncClient, namespace: str
) -> None:
    # No pod ever starts: the backend watches for one through the API server (pods list and
    # watch) until the Job has ended.
    training = await services.start(log_grace_seconds=1.0)
    job = await training.use_cases.create(MODEL, reranker_job(), "late", OWNER)
    await _wait_for_kubernetes_job(admin, namespace, _kube_name(job))
    await wait_for_state(training.use_cases, job.name, JobState.RUNNING)
    await _end_job(admin, namespace, _kube_name(job), "Failed", "DeadlineExceeded")

    failed = await _wait_for_end(training, job.name)
    assert failed.state == JobState.FAILED
    assert "ran past its time limit of 600s" in failed.error_message
    assert "DeadlineExceeded" in failed.error_message


async def _wait_for_host(training: Training, name: str, host: str) -> TrainingJob:
    """The job once `host` follows it (the reconciliation takes jobs over one by one)."""

    async def wait() -> TrainingJob:
        while True:
            job = await training.use_cases.get(name)
            if job.host == host or job.state.ended:
                return job
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(wait(), 60)


async def _wait_for_end(training: Training, name: str, seconds: float = 60) -> TrainingJob:
    async def wait() -> TrainingJob:
        while True:
            job = await training.use_cases.get(name)
            if job.state.ended:
                return job
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(wait(), seconds)


async def test_cancelling_a_job_deletes_its_kubernetes_job(
    services: ClusterServices, admin: httpx.AsyncClient, namespace: str
) -> None:
    training = await services.start()
    job = await training.use_cases.create(MODEL, reranker_job(), "stopped", OWNER)
    await _wait_for_kubernetes_job(admin, namespace, _kube_name(job))
    await wait_for_state(training.use_cases, job.name, JobState.RUNNING)

    cancelled = await training.use_cases.cancel(job.name)

    assert cancelled.state == JobState.CANCELLED
    gone = await admin.get(f"{_jobs(namespace)}/{_kube_name(job)}")
    assert gone.status_code == 404, gone.text


async def test_a_job_is_left_to_the_live_instance_following_it_which_obeys_a_cancel_asked_elsewhere(
    services: ClusterServices, admin: httpx.AsyncClient, namespace: str
) -> None:
    running_it = await services.start(host="ms-ml-a")
    job = await running_it.use_cases.create(MODEL, reranker_job(), "shared", OWNER)
    await _wait_for_kubernetes_job(admin, namespace, _kube_name(job))
    await wait_for_state(running_it.use_cases, job.name, JobState.RUNNING)
    other = await services.start(host="ms-ml-b")
    await asyncio.sleep(3)  # a few of the other instance's reconciliations (every second here)
    assert (await other.use_cases.get(job.name)).host == "ms-ml-a"

    cancelled = await other.use_cases.cancel(job.name)

    assert cancelled.state == JobState.CANCELLED
    gone = await admin.get(f"{_jobs(namespace)}/{_kube_name(job)}")
    assert gone.status_code == 404, gone.text


async def test_a_restarted_service_follows_its_jobs_again_or_ends_them_as_their_jobs_are_found(
    services: ClusterServices,
    admin: httpx.AsyncClient,
    namespace: str,
    tmp_path: Path,
) -> None:
    containers = ContainerRuns(admin, tmp_path / "pods")
    first = await services.start(host="ms-ml-old", logs=containers)
    finished = await first.use_cases.create(MODEL, reranker_job(), "finished", OWNER)
    deleted = await first.use_cases.create(MODEL, reranker_job(), "deleted", OWNER)
    still = await first.use_cases.create(MODEL, reranker_job(), "still", OWNER)
    for job in (finished, deleted, still):
        await _wait_for_kubernetes_job(admin, namespace, _kube_name(job))
        await asyncio.wait_for(containers.done(_kube_name(job)).wait(), 300)
    read_before = await _entries(first, finished.name)
    # The service's pod goes away (its supervisor stops) before the Job controller marked the
    # Jobs ended; they run on in the cluster.
    await services.stop(first)
    for job in (finished, deleted, still):
        assert (await first.use_cases.get(job.name)).state == JobState.RUNNING
    await _end_job(admin, namespace, _kube_name(finished), "Complete")
    await _ok(
        await admin.request(
            "DELETE",
            f"{_jobs(namespace)}/{_kube_name(deleted)}",
            json={"propagationPolicy": "Background"},
        )
    )

    second = await services.start(host="ms-ml-new", logs=containers)

    succeeded = await wait_for_state(second.use_cases, finished.name, JobState.SUCCEEDED, 300)
    assert succeeded.model_version.startswith(f"{MODEL}/versions/")
    # Its log read again after the restart: the model counts, what was kept is not kept twice.
    read_after = await _entries(second, finished.name)
    metrics = [(entry.metric, entry.step) for entry in read_after if entry.metric]
    assert metrics == [(entry.metric, entry.step) for entry in read_before if entry.metric]
    assert metrics
    lines = [entry.line for entry in read_after if entry.line]
    assert "followed again by ms-ml-new after a restart" in lines
    gone = await _wait_for_end(second, deleted.name)
    assert gone.state == JobState.FAILED
    assert f"its Kubernetes Job {_kube_name(deleted)} is gone" in gone.error_message
    followed = await _wait_for_host(second, still.name, "ms-ml-new")
    assert followed.state == JobState.RUNNING
    await _end_job(admin, namespace, _kube_name(still), "Failed", "DeadlineExceeded")
    assert (await _wait_for_end(second, still.name)).state == JobState.FAILED


async def test_refusals_of_the_api_server_fail_the_job_naming_their_cause(
    services: ClusterServices, admin: httpx.AsyncClient, namespace: str
) -> None:
    # 403: a service account without the Role.
    unbound = await services.start(host="ms-ml-a", token=NOBODY_TOKEN)
    refused = await unbound.use_cases.create(MODEL, reranker_job(), "refused", OWNER)
    failed = await _wait_for_end(unbound, refused.name)
    assert services.all_running()
    await services.stop(unbound)
    assert failed.state == JobState.FAILED
    assert "its Kubernetes Job could not be created" in failed.error_message
    assert f"create jobs {namespace}/" in failed.error_message
    assert "not allowed" in failed.error_message
    assert "forbidden" in failed.error_message

    # 409: a Job of that name is there already.
    service = await services.start(host="ms-ml-b")
    taken = replace(refused, name=f"{MODEL}/trainingJobs/taken")
    settings = ClusterJobSettings(namespace=namespace, release="ms-ml", image=IMAGE)
    await _ok(await admin.post(_jobs(namespace), json=render_job(settings, taken, {})))
    await service.use_cases.create(MODEL, reranker_job(), "taken", OWNER)
    failed = await _wait_for_end(service, taken.name)
    assert failed.state == JobState.FAILED
    assert "it already exists" in failed.error_message
    assert _kube_name(taken) in failed.error_message
    assert services.all_running()
    await services.stop(service)

    # 422: a Job the API server finds invalid (a release name no label value can hold).
    invalid = await services.start(
        host="ms-ml-c", placement=ClusterPlacement(release="not a label value!", image=IMAGE)
    )
    refused = await invalid.use_cases.create(MODEL, reranker_job(), "invalid", OWNER)
    failed = await _wait_for_end(invalid, refused.name)
    assert failed.state == JobState.FAILED
    assert "the API server refused it as invalid" in failed.error_message
    assert "metadata.labels" in failed.error_message

    assert services.all_running()  # a refusal never stops the service


def test_the_chart_grants_exactly_the_calls_the_backend_makes() -> None:
    if not CHART_VALUES.exists():
        pytest.skip("the platform's charts are not beside this service")
    values = yaml.safe_load(CHART_VALUES.read_text())
    assert values["kubernetesAccess"]["rules"] == ROLE_RULES
