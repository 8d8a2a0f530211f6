"""Settings of ms_vector, read from `MS_VECTOR_*` environment variables."""

from pathlib import Path

from knowledge_kit.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "models/embedder/versions/wordllama-l2-supercat-256"


class Settings(ServiceSettings):
    """The kit's settings every service has, plus the index's own.

    The dense index is Qdrant when `qdrant_url` is set (a cluster), else an in-process HNSW
    index persisted under `index_path` (one machine, `fleet up`). Either way the chunks and
    their vectors are kept in the database, the record both are rebuilt from.
    """

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
        "ml.models.v1",
    )
    # ms_knowledge, read again by ReindexSpace.
    knowledge_target: str = "ms-knowledge:50052"
    # The embedding model version recorded with every chunk (ms_ml names versions this way).
    embedding_model: str = Field(default=DEFAULT_EMBEDDING_MODEL, pattern=r"^models/[^/]+/")
    # ms_ml's embedder model and the alias whose holder embeds the index. Unset alias: ms_ml is
    # never asked; a new index is embedded by the shipped model (`embedding_model`), one rolled
    # out earlier to another version keeps it, from its verified copy in `model_cache_dir`.
    embedder_model: str = Field(default="models/embedder", pattern=r"^models/[a-z0-9-]+$")
    embedder_alias: str = Field(default="", pattern=r"^([a-z][a-z0-9-]{0,62})?$")
    ml_target: str = "ms-ml:50058"
    # Who reads ms_ml: ms_vector's service account, signed in at ms_auth (client credentials)
    # when its secret is set; else the bearer token `ml_token`, as it is.
    auth_target: str = "ms-auth:50051"
    service_account: str = "serviceAccounts/ms-vector"
    service_account_secret: SecretStr | None = None
    ml_token: SecretStr | None = None
    # Downloaded embedder artifacts, one file per SHA-256, checked on every load.
    model_cache_dir: Path = Path("./vector-models")
    index_path: Path = Path("./vector-index.npz")
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    # The alias searches go through; each layout version is a collection behind it.
    qdrant_collection: str = Field(default="chunks", pattern=r"^[a-z][a-z0-9_]{0,62}$")
    # Passages: at most this many characters, each repeating the end of the one before.
    chunk_max_chars: int = Field(default=1200, ge=200, le=20_000)
    chunk_overlap_chars: int = Field(default=150, ge=0, le=2_000)
    # A longer document is not indexed (its status says why) rather than held whole in memory.
    max_document_chars: int = Field(default=2_000_000, ge=1_000)
