"""Settings of ms_ml, read from `MS_ML_*` environment variables."""

import tempfile
from pathlib import Path
from typing import Any, Literal

from knowledge_kit.settings import ServiceSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url

GIB = 1024**3
MIB = 1024**2


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own."""

    model_config = SettingsConfigDict(
        env_prefix="MS_ML_",
        frozen=True,
    )

    service_name: str = "ms_ml"
    grpc_port: int = Field(default=50058, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./ml.db"
    produced_topics: tuple[str, ...] = (
        "ml.models.v1",
        "ml.training.v1",
    )

    # Artifacts: "local" keeps them under artifact_dir; "s3" in an S3-compatible bucket.
    artifact_store: Literal["local", "s3"] = "local"
    # Unset, the local directories are kept beside a SQLite database (a local run keeps them in
    # its data directory), else under the temporary directory (a pod's writable /tmp; a cluster
    # keeps its artifacts in S3).
    artifact_dir: str = ""
    # The largest artifact an upload may declare or send.
    artifact_max_bytes: int = Field(default=100 * MIB, ge=1)
    s3_bucket: str = "ml-artifacts"
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    # Verified local copies of artifacts stored in S3, read when a version is loaded.
    artifact_cache_dir: str = ""

    # At start, the embedder ms_vector uses (WordLlama, from its wheel) is registered as version
    # 1 of this model, holding the alias below and served by its "default" deployment.
    embedder_model: str = "embedder"
    embedder_alias: str = "production"
    register_embedder: bool = True

    # Serving: the most inputs of one Predict or texts of one Embed, and versions kept loaded.
    max_inputs_per_request: int = Field(default=1000, ge=1)
    loaded_versions: int = Field(default=8, ge=1)

    # Training jobs (ms_ml.training).
    training_max_concurrent_jobs: int = Field(default=1, ge=1)
    training_default_timeout_seconds: int = Field(default=600, ge=1)
    training_max_timeout_seconds: int = Field(default=3600, ge=1)
    training_default_memory_bytes: int = Field(default=2 * GIB, ge=1)
    training_max_memory_bytes: int = Field(default=8 * GIB, ge=1)
    # CPU seconds a job may use; 0: as many as its timeout allows.
    training_cpu_seconds: int = Field(default=0, ge=0)
    training_work_dir: str = ""
    # The dataset a job reads when it names none; empty: the recipe's own default.
    training_dataset_dir: str = ""
    # What becomes of a job found RUNNING when the service starts again.
    training_on_restart: Literal["fail", "requeue"] = "fail"
    # Where jobs run: "local", as processes of the service; "kubernetes", as Jobs in a cluster
    # (training/cluster.py); "auto": kubernetes in a pod with a service account token (the chart
    # mounts it only for the Role that lets it run Jobs), else local.
    training_backend: Literal["auto", "local", "kubernetes"] = "auto"
    # Kubernetes: a kubeconfig (a cluster outside, in development; empty: the pod's service
    # account), and the Jobs' namespace, release and image (empty: the service's own pod's).
    training_kubeconfig: str = ""
    training_namespace: str = ""
    training_release: str = ""
    training_image: str = ""

    @model_validator(mode="before")
    @classmethod
    def _local_directories(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        base = _beside(str(data.get("database_url") or cls.model_fields["database_url"].default))
        for field, name in LOCAL_DIRECTORIES.items():
            if not data.get(field):
                data[field] = str(base / name)
        return data


LOCAL_DIRECTORIES = {
    "artifact_dir": "ml-artifacts",
    "artifact_cache_dir": "ml-artifact-cache",
    "training_work_dir": "ml-training",
}


def _beside(database_url: str) -> Path:
    """The directory of a SQLite database file, else `<temporary directory>/ms_ml`."""
    elsewhere = Path(tempfile.gettempdir()) / "ms_ml"
    try:
        url = make_url(database_url)
    except Exception:  # an unreadable URL is the engine's to refuse, not this default's
        return elsewhere
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).parent
    return elsewhere
