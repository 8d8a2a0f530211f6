"""Settings of ms_knowledge, read from `MS_KNOWLEDGE_*` environment variables."""

from knowledge_kit.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own."""

    model_config = SettingsConfigDict(env_prefix="MS_KNOWLEDGE_", frozen=True)

    service_name: str = "ms_knowledge"
    grpc_port: int = Field(default=50052, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./knowledge.db"
    produced_topics: tuple[str, ...] = (
        "knowledge.spaces.v1",
        "knowledge.documents.v1",
    )
    # How many undelivered changes one Watch stream may fall behind before it is ended.
    watcher_backlog: int = Field(default=100, ge=1)
