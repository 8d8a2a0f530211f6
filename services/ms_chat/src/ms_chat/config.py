"""Settings of ms_chat, read from `MS_CHAT_*` environment variables."""

from typing import Literal

from knowledge_kit.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """The kit's settings every service has, plus the chat's own.

    Answers are extractive (sentences of the retrieved passages, cited exactly) unless
    `answerer` is "openai" and `llm_base_url` names an OpenAI-compatible chat-completions server
    (vLLM, Ollama, llama.cpp's server or a hosted provider).
    """

    model_config = SettingsConfigDict(
        env_prefix="MS_CHAT_",
        frozen=True,
    )

    service_name: str = "ms_chat"
    grpc_port: int = Field(default=50054, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./chat.db"
    websocket_host: str = "0.0.0.0"
    websocket_port: int = Field(default=8766, ge=0, le=65535)
    # Frames waiting for one WebSocket client; a client that falls this far behind is closed
    # with 1013 (try again later) and resumes its answer from the last sequence it received.
    websocket_queue_size: int = Field(default=256, ge=1, le=65536)
    websocket_max_message_bytes: int = Field(default=1 << 20, ge=1024)
    produced_topics: tuple[str, ...] = ("chat.conversations.v1",)
    # Memberships decide which cited passages a reader may still see.
    consumed_topics: tuple[str, ...] = ("knowledge.spaces.v1",)
    # ms_vector, searched as the asking user.
    vector_target: str = "ms-vector:50055"
    vector_timeout_seconds: float = Field(default=10.0, gt=0)
    # A reranker deployment of ms_ml (`models/{model}/deployments/{deployment}`) that reorders
    # `reranker_candidates` retrieved passages before the answerer reads the best; empty: none.
    # Past `reranker_timeout_seconds`, or with ms_ml down, the first stage's order answers.
    ml_target: str = "ms-ml:50058"
    reranker_deployment: str = ""
    reranker_timeout_seconds: float = Field(default=1.0, gt=0, le=30)
    reranker_candidates: int = Field(default=20, ge=1, le=100)
    # The answerer.
    answerer: Literal["extractive", "openai"] = "extractive"
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = ""
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    llm_max_attempts: int = Field(default=3, ge=1, le=10)
    # Passages retrieved per question unless the request asks for fewer or more (at most 50).
    retrieval_passages: int = Field(default=8, ge=1, le=50)
    # Earlier question/answer pairs of the branch given to the answerer with a new question.
    history_turns: int = Field(default=6, ge=0, le=50)
    # Answer text is stored and streamed in pieces of about this many characters, or whatever
    # arrived within `token_flush_seconds`.
    token_chunk_chars: int = Field(default=64, ge=1, le=4096)
    token_flush_seconds: float = Field(default=0.05, gt=0, le=5)
