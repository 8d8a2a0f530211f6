"""The access log writes to a real file's descriptor itself: lines keep their order with the
service's other lines and their text, whatever the file's encoding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from knowledge_kit.observability import configure_logging
from knowledge_kit.observability.access_log import access_log, output


@pytest.fixture(autouse=True)
def logging_to_stdout_afterwards() -> Iterator[None]:
    yield
    configure_logging("ms_test")


def _log_around_an_rpc(path: Path, encoding: str) -> tuple[int | None, list[dict[str, object]]]:
    """The descriptor the access log wrote to (None: it wrote through the stream), the lines."""
    with path.open("w", encoding=encoding) as stream:
        configure_logging("ms_test", stream=stream)
        descriptor = output.fd
        log = structlog.get_logger()
        log.info("before", note="déjà")
        access_log().rpc("/x.Notes/Get", "OK", 0.0012, "réq-1", "", "users/zoë")
        log.info("between")
        access_log().rpc("/x.Notes/Get", "NOT_FOUND", 0.0004, "00ff", "", None)
        log.info("after")
    return descriptor, [json.loads(line) for line in path.read_text(encoding=encoding).splitlines()]


def test_lines_in_a_utf8_file_keep_their_order_and_text(tmp_path: Path) -> None:
    descriptor, lines = _log_around_an_rpc(tmp_path / "service.log", "utf-8")
    assert descriptor is not None
    assert [line["event"] for line in lines] == ["before", "rpc", "between", "rpc", "after"]
    assert lines[0]["note"] == "déjà"
    assert (lines[1]["request_id"], lines[1]["principal"]) == ("réq-1", "users/zoë")
    assert (lines[3]["status"], lines[3]["principal"]) == ("NOT_FOUND", None)


def test_a_file_in_another_encoding_is_written_through_its_stream(tmp_path: Path) -> None:
    descriptor, lines = _log_around_an_rpc(tmp_path / "service.log", "utf-16")
    assert descriptor is None
    assert [line["event"] for line in lines] == ["before", "rpc", "between", "rpc", "after"]
    assert lines[1]["principal"] == "users/zoë"
