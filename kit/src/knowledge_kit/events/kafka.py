"""How every Kafka client of a service connects: the bootstrap servers and the listener's security.

In the cluster the brokers take SCRAM over TLS only (Strimzi); a client built without these
options would never reach them. So the kit builds each of its clients' connection options in one
place, `kafka_client_options`, from a `KafkaConnection` (a plain bootstrap string is a plaintext
connection, as on a laptop or the test broker).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka.errors import KafkaConnectionError

from knowledge_kit.settings import KafkaSaslMechanism, KafkaSecurityProtocol, ServiceSettings


class KafkaUnavailable(Exception):
    """A Kafka client could not connect: brokers unreachable, credentials refused, or TLS
    not trusted. The message names the connection, never the password."""


@dataclass(frozen=True)
class KafkaConnection:
    """Where the brokers are and how to authenticate to them; the password stays out of reprs."""

    bootstrap: str
    security_protocol: KafkaSecurityProtocol = "PLAINTEXT"
    sasl_mechanism: KafkaSaslMechanism = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: str | None = None
    ssl_cafile: str | None = None

    def __repr__(self) -> str:
        user = f" as {self.sasl_username}" if self.sasl_username else ""
        return f"KafkaConnection({self.bootstrap} over {self.security_protocol}{user})"

    @classmethod
    def of(cls, settings: ServiceSettings) -> KafkaConnection:
        """The connection the service's `KAFKA_*` settings describe."""
        password = settings.kafka_sasl_password
        return cls(
            bootstrap=settings.kafka_bootstrap,
            security_protocol=settings.kafka_security_protocol,
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_username=settings.kafka_sasl_username,
            sasl_password=password.get_secret_value() if password else None,
            ssl_cafile=settings.kafka_ssl_cafile,
        )


def kafka_client_options(kafka: KafkaConnection | str) -> dict[str, Any]:
    """The keyword arguments every aiokafka client (producer, consumer, admin) is built with."""
    if isinstance(kafka, str):
        kafka = KafkaConnection(kafka)
    options: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap,
        "security_protocol": kafka.security_protocol,
    }
    if kafka.security_protocol.startswith("SASL_"):
        options.update(
            sasl_mechanism=kafka.sasl_mechanism,
            sasl_plain_username=kafka.sasl_username,
            sasl_plain_password=kafka.sasl_password,
        )
    if kafka.security_protocol.endswith("SSL"):
        options["ssl_context"] = ssl.create_default_context(cafile=kafka.ssl_cafile)
    return options


class _Client(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def start_client(client: _Client, kafka: KafkaConnection | str) -> None:
    """`await client.start()`, turning aiokafka's bare "Unable to bootstrap" into an error that
    names the brokers, the protocol and the user (the broker's reason is logged by aiokafka)."""
    try:
        await client.start()
    except KafkaConnectionError as refused:
        await client.stop()
        connection = KafkaConnection(kafka) if isinstance(kafka, str) else kafka
        user = f" as {connection.sasl_username}" if connection.sasl_username else ""
        raise KafkaUnavailable(
            f"cannot connect to Kafka at {connection.bootstrap} over "
            f"{connection.security_protocol}{user} ({refused}): check the brokers are up and "
            "the KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_CAFILE settings"
        ) from refused
