"""Test support for services built on the kit; the fixtures live in `knowledge_kit.testing.plugin`."""

from knowledge_kit.testing.infrastructure import (
    KAFKA_BOOTSTRAP_ENV,
    POSTGRES_URL_ENV,
    unique_name,
)
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from knowledge_kit.testing.secure_kafka import SecureKafka

__all__ = [
    "KAFKA_BOOTSTRAP_ENV",
    "POSTGRES_URL_ENV",
    "JwksEndpoint",
    "SecureKafka",
    "unique_name",
]
