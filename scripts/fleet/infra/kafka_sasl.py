"""The test broker's second listener: SASL_SSL with SCRAM-SHA-512, as production brokers require."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from fleet.infra.net import LOOPBACK, free_port
from fleet.infra.tls import issue_loopback_certificate

SASL_SSL_LISTENER = "SASL_SSL"
MECHANISM = "SCRAM-SHA-512"
USERNAME = "knowledge-test"


@dataclass(frozen=True)
class SaslSslListener:
    """Where the listener is, the CA its certificate chains to, and the one SCRAM user it knows."""

    port: int
    ca_file: Path
    keystore: Path
    username: str
    password: str

    @property
    def bootstrap(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def properties(self) -> list[str]:
        """server.properties lines for this listener; the caller adds it to `listeners`."""
        prefix = f"listener.name.{SASL_SSL_LISTENER.lower()}"
        return [
            f"{prefix}.sasl.enabled.mechanisms={MECHANISM}",
            f"{prefix}.{MECHANISM.lower()}.sasl.jaas.config="
            "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            f"{prefix}.ssl.keystore.type=PEM",
            f"{prefix}.ssl.keystore.location={self.keystore}",
        ]

    def scram_credential(self) -> str:
        """The user, in the form `kafka-storage format --add-scram` writes into the metadata log."""
        return f"{MECHANISM}=[name={self.username},password={self.password}]"


def new_sasl_ssl_listener(workdir: Path) -> SaslSslListener:
    """A free port, a fresh certificate in `workdir` and a random password for this broker only."""
    certificate = issue_loopback_certificate(workdir)
    return SaslSslListener(
        port=free_port(),
        ca_file=certificate.ca_file,
        keystore=certificate.keystore,
        username=USERNAME,
        # Hex: SCRAM credentials on the format tool's command line are split at ',', '=' and ']'.
        password=secrets.token_hex(16),
    )
