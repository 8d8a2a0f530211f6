"""Settings of ms_activity, read from `MS_ACTIVITY_*` environment variables."""

from knowledge_kit.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own."""

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
    note_title_max_length: int = Field(default=200, ge=1)
