"""Structured logs, traces and metrics, configured the same way in every service."""

from knowledge_kit.observability.logging import configure_logging
from knowledge_kit.observability.tracing import configure_tracing, otlp_exporter_from_environment

__all__ = ["configure_logging", "configure_tracing", "otlp_exporter_from_environment"]
