"""Settings fail fast naming every bad variable; fleet naming rules hold."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from knowledge_kit.events import KafkaConnection, kafka_client_options
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


class StrictSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MS_STRICT_", frozen=True)
    service_name: str = "ms_strict"


def test_a_variable_under_the_prefix_that_is_no_setting_is_refused_with_a_suggestion(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MS_STRICT_GRPC_PROT", "1")
    with pytest.raises(SettingsError) as refused:
        load_settings(StrictSettings)
    assert str(refused.value) == (
        "invalid StrictSettings: MS_STRICT_GRPC_PROT: is not a setting of this service "
        "(did you mean MS_STRICT_GRPC_PORT?)"
    )


def test_what_the_charts_render_for_kafka_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca_file = tmp_path / "ca.crt"
    ca_file.write_text(certifi_like_bundle())
    chart = {
        "MS_STRICT_KAFKA_BOOTSTRAP": "knowledge-kafka-bootstrap:9093",
        "MS_STRICT_PRODUCED_TOPICS": '["auth.users.v1","auth.sessions.v1"]',
        "MS_STRICT_CONSUMED_TOPICS": "[]",
        "MS_STRICT_KAFKA_CONSUMER_GROUP": "ms_strict",
        "MS_STRICT_KAFKA_DEAD_LETTER_TOPIC": "deadletter.strict.v1",
        "MS_STRICT_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "MS_STRICT_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "MS_STRICT_KAFKA_SASL_USERNAME": "ms-strict",
        "MS_STRICT_KAFKA_SASL_PASSWORD": "s3cret",
        "MS_STRICT_KAFKA_SSL_CAFILE": str(ca_file),
    }
    for variable, value in chart.items():
        monkeypatch.setenv(variable, value)
    settings = load_settings(StrictSettings)
    options = kafka_client_options(KafkaConnection.of(settings))
    assert settings.produced_topics == ("auth.users.v1", "auth.sessions.v1")
    assert (settings.kafka_consumer_group, settings.kafka_dead_letter_topic) == (
        "ms_strict",
        "deadletter.strict.v1",
    )
    assert {key: options[key] for key in options if key != "ssl_context"} == {
        "bootstrap_servers": "knowledge-kafka-bootstrap:9093",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "ms-strict",
        "sasl_plain_password": "s3cret",
    }
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert "s3cret" not in repr(settings)


def test_sasl_without_credentials_names_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MS_STRICT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("MS_STRICT_KAFKA_SASL_USERNAME", "ms-strict")
    with pytest.raises(SettingsError) as refused:
        load_settings(StrictSettings)
    assert (
        "MS_STRICT_KAFKA_SASL_USERNAME and MS_STRICT_KAFKA_SASL_PASSWORD must be set when "
        "MS_STRICT_KAFKA_SECURITY_PROTOCOL is SASL_SSL"
    ) in str(refused.value)


def test_an_unreadable_ca_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MS_STRICT_KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("MS_STRICT_KAFKA_SSL_CAFILE", str(tmp_path / "missing.crt"))
    with pytest.raises(SettingsError, match="MS_STRICT_KAFKA_SSL_CAFILE: cannot read a PEM CA"):
        load_settings(StrictSettings)


def test_an_unknown_security_protocol_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MS_STRICT_KAFKA_SECURITY_PROTOCOL", "SCRAM")
    with pytest.raises(SettingsError, match="MS_STRICT_KAFKA_SECURITY_PROTOCOL: Input should be"):
        load_settings(StrictSettings)


def certifi_like_bundle() -> str:
    """A PEM bundle of the system's CAs (any valid bundle will do)."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text()
    raise AssertionError("this machine has no system CA bundle to copy")
