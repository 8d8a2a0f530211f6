"""No secret reaches a log line, in JSON or console format: not a frame's local variables in a
traceback, not a value passed under a secret's key, not a token or password inside text."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
import structlog

from knowledge_kit.observability import configure_logging
from knowledge_kit.testing import JwksEndpoint

PASSWORD = "hunter2"
_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(params=[True, False], ids=["json", "console"])
def log_stream(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("ms_test", json=request.param, stream=stream)
    yield stream
    configure_logging("ms_test")


def _written(stream: io.StringIO) -> str:
    return _ANSI_COLOUR.sub("", stream.getvalue())


def _sign_in(password: str, authorization: str) -> None:
    attempts = [password, authorization]
    raise RuntimeError(f"sign-in failed after {len(attempts)} attempts")


def test_a_traceback_shows_no_local_variable(
    log_stream: io.StringIO, jwks_endpoint: JwksEndpoint
) -> None:
    token = jwks_endpoint.mint()
    try:
        _sign_in(PASSWORD, f"Bearer {token}")
    except RuntimeError:
        structlog.get_logger("ms_test").exception("sign_in_failed")
        # What grpc's server does with an exception a handler did not catch.
        logging.getLogger("grpc._cython.cygrpc").exception("Unexpected [RuntimeError]")
    written = _written(log_stream)
    assert written.count("sign-in failed after 2 attempts") == 2
    assert "_sign_in" in written
    assert PASSWORD not in written
    assert token not in written


def test_secrets_are_redacted_under_their_keys_and_inside_text(
    log_stream: io.StringIO, jwks_endpoint: JwksEndpoint
) -> None:
    token = jwks_endpoint.mint()
    log = structlog.get_logger("ms_test")
    log.info("signing_in", password="pw-123", headers={"Authorization": f"Bearer {token}"})
    log.info("retrying", attempt=f"retrying with token {token}", url="postgresql://a:pw-456@db/x")
    logging.getLogger("httpx").warning("refused: Authorization: Bearer %s", token)
    try:
        raise ValueError(f"token {token} has expired")
    except ValueError:
        log.exception("verification_failed")
    written = _written(log_stream)
    assert "signing_in" in written
    assert "has expired" in written
    for secret in ("pw-123", "pw-456", token, token.split(".")[1]):
        assert secret not in written
    assert "[redacted]" in written


def test_before_logging_is_configured_a_traceback_shows_no_local_variable() -> None:
    """structlog's own defaults render tracebacks with every frame's locals; using the kit
    (here its RPC package) replaces them, for scripts and tests that never configure logging."""
    script = (
        "import knowledge_kit.rpc, structlog\n"
        "def sign_in(password):\n"
        "    raise RuntimeError('sign-in failed')\n"
        "try:\n"
        f"    sign_in({PASSWORD!r})\n"
        "except RuntimeError:\n"
        "    structlog.get_logger().exception('sign_in_failed')\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "sign-in failed" in ran.stdout
    assert PASSWORD not in ran.stdout + ran.stderr
