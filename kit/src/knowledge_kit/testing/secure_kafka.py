"""The test broker's SASL_SSL listener (SCRAM-SHA-512 over TLS), as the test command provides it."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge_kit.testing.infrastructure import provisioned

KAFKA_SASL_SSL_BOOTSTRAP_ENV = "KNOWLEDGE_TEST_KAFKA_SASL_SSL_BOOTSTRAP"
KAFKA_CA_FILE_ENV = "KNOWLEDGE_TEST_KAFKA_CA_FILE"
KAFKA_SASL_USERNAME_ENV = "KNOWLEDGE_TEST_KAFKA_SASL_USERNAME"
KAFKA_SASL_PASSWORD_ENV = "KNOWLEDGE_TEST_KAFKA_SASL_PASSWORD"


@dataclass(frozen=True)
class SecureKafka:
    """Where the listener is, the CA file its certificate chains to, and a SCRAM user it knows."""

    bootstrap: str
    ca_file: str
    username: str
    password: str
    mechanism: str = "SCRAM-SHA-512"


def provisioned_secure_kafka() -> SecureKafka:
    """The listener the variables describe; InfrastructureMissing names the first one unset."""
    what = "Kafka's SASL_SSL listener"
    return SecureKafka(
        bootstrap=provisioned(KAFKA_SASL_SSL_BOOTSTRAP_ENV, what),
        ca_file=provisioned(KAFKA_CA_FILE_ENV, what),
        username=provisioned(KAFKA_SASL_USERNAME_ENV, what),
        password=provisioned(KAFKA_SASL_PASSWORD_ENV, what),
    )
