"""Settings of ms_notifications, read from `MS_NOTIFICATIONS_*` environment variables."""

from knowledge_kit.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own."""

    model_config = SettingsConfigDict(
        env_prefix="MS_NOTIFICATIONS_",
        frozen=True,
    )

    service_name: str = "ms_notifications"
    grpc_port: int = Field(default=50057, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./notifications.db"
    produced_topics: tuple[str, ...] = ("notifications.deliveries.v1",)
    consumed_topics: tuple[str, ...] = (
        "auth.users.v1",
        "knowledge.spaces.v1",
        "knowledge.documents.v1",
        "chat.conversations.v1",
        "ml.models.v1",
        "ml.training.v1",
    )
    note_title_max_length: int = Field(default=200, ge=1)
