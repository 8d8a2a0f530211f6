"""Settings fail fast naming every bad variable; fleet naming rules hold."""

from __future__ import annotations

import pytest
from pydantic_settings import SettingsConfigDict

from knowledge_kit.names import dead_letter_topic
from knowledge_kit.settings import ServiceSettings, SettingsError, load_settings


class CanvasSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CANVAS_", frozen=True, extra="ignore")
    max_nodes: int = 10_000


def test_settings_come_from_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANVAS_SERVICE_NAME", "ms_canvas")
    monkeypatch.setenv("CANVAS_GRPC_PORT", "50053")
    monkeypatch.setenv("CANVAS_MAX_NODES", "5")
    monkeypatch.setenv("CANVAS_PUBLIC_METHODS", '["/knowledge.canvas.v1.CanvasService/GetCanvas"]')
    settings = load_settings(CanvasSettings)
    assert (settings.grpc_port, settings.max_nodes) == (50053, 5)
    assert "/knowledge.canvas.v1.CanvasService/GetCanvas" in settings.public_methods


def test_every_bad_value_is_named_in_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANVAS_SERVICE_NAME", "canvas")
    monkeypatch.setenv("CANVAS_GRPC_PORT", "eighty")
    monkeypatch.setenv("CANVAS_DATABASE_URL", "mysql://db")
    monkeypatch.setenv("CANVAS_LOG_LEVEL", "loud")
    with pytest.raises(SettingsError) as invalid:
        load_settings(CanvasSettings)
    message = str(invalid.value)
    assert message.startswith("invalid CanvasSettings: ")
    assert "CANVAS_SERVICE_NAME: service name 'canvas' must look like ms_<name>" in message
    assert "CANVAS_GRPC_PORT: " in message and "(got 'eighty')" in message
    assert "CANVAS_DATABASE_URL: must start with sqlite+aiosqlite://" in message
    assert "CANVAS_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR (got 'loud')" in message


def test_a_missing_required_value_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CANVAS_SERVICE_NAME", raising=False)
    with pytest.raises(SettingsError, match="CANVAS_SERVICE_NAME: is required but not set"):
        load_settings(CanvasSettings)


def test_dead_letter_topics_follow_the_fleet_convention() -> None:
    assert dead_letter_topic("ms_knowledge") == "deadletter.knowledge.v1"
    assert dead_letter_topic("ms_ml") == "deadletter.ml.v1"
    with pytest.raises(ValueError, match="must look like ms_<name>"):
        dead_letter_topic("knowledge")
