"""Settings of ms_ml, read from `MS_ML_*` environment variables."""

from knowledge_kit.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


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
    note_title_max_length: int = Field(default=200, ge=1)
