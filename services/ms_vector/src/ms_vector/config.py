"""Settings of ms_vector, read from `MS_VECTOR_*` environment variables."""

from knowledge_kit.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own."""

    model_config = SettingsConfigDict(
        env_prefix="MS_VECTOR_",
        frozen=True,
    )

    service_name: str = "ms_vector"
    grpc_port: int = Field(default=50055, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./vector.db"
    produced_topics: tuple[str, ...] = ("vector.index.v1",)
    consumed_topics: tuple[str, ...] = (
        "knowledge.documents.v1",
        "knowledge.spaces.v1",
    )
    note_title_max_length: int = Field(default=200, ge=1)
