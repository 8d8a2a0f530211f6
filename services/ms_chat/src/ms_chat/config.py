"""Settings of ms_chat, read from `MS_CHAT_*` environment variables."""

from knowledge_kit.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own."""

    model_config = SettingsConfigDict(
        env_prefix="MS_CHAT_",
        frozen=True,
    )

    service_name: str = "ms_chat"
    grpc_port: int = Field(default=50054, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./chat.db"
    websocket_host: str = "0.0.0.0"
    websocket_port: int = Field(default=8766, ge=0, le=65535)
    produced_topics: tuple[str, ...] = ("chat.conversations.v1",)
    note_title_max_length: int = Field(default=200, ge=1)
