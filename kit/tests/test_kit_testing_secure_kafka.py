"""The `secure_kafka` fixture: the SASL_SSL listener's variables, or a failure naming the missing one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from knowledge_kit.testing.secure_kafka import KAFKA_CA_FILE_ENV, KAFKA_SASL_SSL_BOOTSTRAP_ENV

TEST_NEEDING_IT = (
    "def test_secure(secure_kafka):\n    assert secure_kafka.mechanism == 'SCRAM-SHA-512'\n"
)


def run_pytest(directory: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    (directory / "test_needs_secure_kafka.py").write_text(TEST_NEEDING_IT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(directory)],
        cwd=directory,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_test_needing_the_secure_listener_fails_when_a_variable_is_unset(
    tmp_path: Path,
) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in (KAFKA_CA_FILE_ENV, "PYTEST_XDIST_WORKER")
    }
    environment[KAFKA_SASL_SSL_BOOTSTRAP_ENV] = "127.0.0.1:9093"
    result = run_pytest(tmp_path, environment)
    assert result.returncode != 0
    assert "1 error" in result.stdout and "skipped" not in result.stdout
    assert (
        f"Kafka's SASL_SSL listener was not provisioned ({KAFKA_CA_FILE_ENV} is unset)"
        in result.stdout
    )
