"""Choosing the answerer from the settings: the extractive one by default, the OpenAI-compatible
generative one when a language model server is configured."""

from __future__ import annotations

from functools import cache
from typing import Protocol

from knowledge_kit.embeddings import WordLlamaEmbedder
from pydantic import SecretStr

from ..domain.answers import Answerer
from .extractive import ExtractiveAnswerer


class AnswererSettings(Protocol):
    """The settings answerer_from reads (config.Settings has them)."""

    @property
    def answerer(self) -> str: ...
    @property
    def llm_base_url(self) -> str | None: ...
    @property
    def llm_api_key(self) -> SecretStr | None: ...
    @property
    def llm_model(self) -> str: ...
    @property
    def llm_timeout_seconds(self) -> float: ...
    @property
    def llm_max_attempts(self) -> int: ...


class AnswererMisconfigured(ValueError):
    """The settings name an answerer they do not configure."""


@cache
def shared_embedder() -> WordLlamaEmbedder:
    """The embedding model, loaded once per process (its weights are read from the wheel)."""
    return WordLlamaEmbedder()


def answerer_from(settings: AnswererSettings) -> Answerer:
    """The OpenAI-compatible answerer when `answerer` is "openai" or `llm_base_url` is set
    (then `llm_model` names the model), the extractive one otherwise."""
    if settings.answerer not in ("extractive", "openai"):
        raise AnswererMisconfigured(f"unknown answerer {settings.answerer!r}")
    if settings.answerer == "openai" or settings.llm_base_url:
        from ..adapters.openai_chat import OpenAIChatAnswerer

        if not settings.llm_base_url:
            raise AnswererMisconfigured("the openai answerer needs llm_base_url")
        if not settings.llm_model:
            raise AnswererMisconfigured("the openai answerer needs llm_model")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAIChatAnswerer(
            settings.llm_base_url,
            settings.llm_model,
            api_key=key,
            timeout_seconds=settings.llm_timeout_seconds,
            max_attempts=settings.llm_max_attempts,
        )
    return ExtractiveAnswerer(shared_embedder())
