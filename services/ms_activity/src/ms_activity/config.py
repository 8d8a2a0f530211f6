"""Settings of ms_activity, read from `MS_ACTIVITY_*` environment variables."""

from knowledge_kit.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own.

    The activities are kept in ClickHouse: a ClickHouse server at `clickhouse_url` in a cluster,
    or, when it is unset, ClickHouse in process (chdb) with its files under `chdb_path`. The SQL
    database (`database_url`) holds the membership projection, the erasures and the inbox.
    """

    model_config = SettingsConfigDict(
        env_prefix="MS_ACTIVITY_",
        frozen=True,
    )

    service_name: str = "ms_activity"
    grpc_port: int = Field(default=50056, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./activity.db"
    consumed_topics: tuple[str, ...] = (
        "auth.users.v1",
        "auth.sessions.v1",
        "knowledge.spaces.v1",
        "knowledge.documents.v1",
        "canvas.canvases.v1",
        "chat.conversations.v1",
        "vector.index.v1",
        "ml.models.v1",
        "ml.training.v1",
        "notifications.deliveries.v1",
    )
    # ClickHouse: a server (http://host:8123, in a cluster) or, unset, chdb's files here.
    clickhouse_url: str | None = None
    clickhouse_username: str = "default"
    clickhouse_password: SecretStr | None = None
    clickhouse_database: str = "activity"
    chdb_path: str = "./activity.chdb"
    # How long activities are kept (older ones are dropped; ranges may not be longer).
    retention_days: int = Field(default=400, ge=1, le=3650)
    # What each user may record through RecordActivities in each minute, across every instance
    # (at least one full batch of 500).
    record_limit_per_minute: int = Field(default=1000, ge=500)
    # Consumed activities go to the store in batches of at most this many.
    forward_batch_size: int = Field(default=5_000, ge=1, le=100_000)
    # How often an instance looks for erasures asked of another instance (its own start at once).
    erasure_poll_seconds: float = Field(default=5.0, gt=0, le=300)
