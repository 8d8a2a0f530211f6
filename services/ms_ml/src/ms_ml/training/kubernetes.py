"""A training job as a Kubernetes Job, for a service running in a cluster: the same image runs
`python -m ms_ml.training.worker --from-environment` with the spec in its environment, under the
job's limits (memory as the container's limit, the timeout as activeDeadlineSeconds), reaching
nothing (no service account token, no sidecar, egress denied by the chart's NetworkPolicy for
these labels) and writing its reports, the model inline, to its log, which the service follows
(pods/log). The chart grants the service's account jobs create/get/list/watch/delete, pods
get/list/watch and pods/log get: the calls cluster.py makes."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .jobs import TrainingJob
from .worker import SPEC_VARIABLE

COMPONENT = "training-job"
JOB_LABEL = "knowledge.platform/training-job"
NAME_ANNOTATION = "knowledge.platform/training-job-name"


@dataclass(frozen=True, slots=True)
class ClusterJobSettings:
    """Where and how the service's training Jobs run: its release's namespace and image."""

    namespace: str
    release: str
    image: str
    cpu_request: str = "500m"
    cpu_limit: str = "2"
    keep_finished_seconds: int = 3600
    run_as_user: int = 10001


def kubernetes_name(job: TrainingJob) -> str:
    """The Job's name: `ms-ml-train-<job id>-<hash of the job's name>` (jobs of two models may
    have the same id), in the 63 characters a label value (its pods' job-name) holds."""
    job_id = re.sub(r"-+$", "", job.name.rsplit("/", 1)[-1][:40])
    digest = hashlib.sha256(job.name.encode()).hexdigest()[:10]
    return f"ms-ml-train-{job_id}-{digest}"


def labels(settings: ClusterJobSettings, job: TrainingJob) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "ms-ml-training",
        "app.kubernetes.io/instance": settings.release,
        "app.kubernetes.io/component": COMPONENT,
        "app.kubernetes.io/part-of": "knowledge-platform",
        "app.kubernetes.io/managed-by": "ms-ml",
        JOB_LABEL: job.name.rsplit("/", 1)[-1][:63],
    }


def render_job(
    settings: ClusterJobSettings, job: TrainingJob, spec: dict[str, Any]
) -> dict[str, Any]:
    """The batch/v1 Job that runs `job` (its `spec` as the worker reads it)."""
    name = kubernetes_name(job)
    pod_labels = labels(settings, job)
    memory = str(job.limits.memory_bytes)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": settings.namespace,
            "labels": pod_labels,
            "annotations": {NAME_ANNOTATION: job.name},
        },
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": job.limits.timeout_seconds,
            "ttlSecondsAfterFinished": settings.keep_finished_seconds,
            "template": {
                "metadata": {
                    "labels": pod_labels,
                    "annotations": {"sidecar.istio.io/inject": "false"},
                },
                "spec": {
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": settings.run_as_user,
                        "runAsGroup": settings.run_as_user,
                        "fsGroup": settings.run_as_user,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "train",
                            "image": settings.image,
                            "imagePullPolicy": "IfNotPresent",
                            "command": ["python", "-m", "ms_ml.training.worker"],
                            "args": ["--from-environment"],
                            "env": [
                                {"name": SPEC_VARIABLE, "value": json.dumps(spec)},
                                {"name": "OMP_NUM_THREADS", "value": "1"},
                                {"name": "OPENBLAS_NUM_THREADS", "value": "1"},
                                {"name": "HOME", "value": "/tmp"},
                            ],
                            "resources": {
                                "requests": {"cpu": settings.cpu_request, "memory": memory},
                                "limits": {"cpu": settings.cpu_limit, "memory": memory},
                            },
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                            "volumeMounts": [{"name": "work", "mountPath": "/tmp"}],
                        }
                    ],
                    "volumes": [{"name": "work", "emptyDir": {"sizeLimit": "1Gi"}}],
                },
            },
        },
    }


def cluster_spec(job: TrainingJob, params: dict[str, float], recipe: str) -> dict[str, Any]:
    """The worker's spec inside the pod: the recipe's own dataset (shipped in the image) unless
    the job names one, the model written under /tmp."""
    return {
        "job": job.name,
        "recipe": recipe,
        "params": params,
        "dataset": job.dataset_uri.removeprefix("file://") if job.dataset_uri else "",
        "output": "/tmp/model",
    }
