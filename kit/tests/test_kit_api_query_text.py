"""Filter and query text has one platform maximum; longer text is refused naming the field and
quoting only its beginning."""

from __future__ import annotations

import grpc
import pytest

from knowledge_kit.api import MAX_QUERY_CHARS, checked_query_text
from knowledge_kit.errors import ValidationError, rpc_status_for


def test_text_up_to_the_maximum_passes_unchanged() -> None:
    text = 'title:"' + "é" * (MAX_QUERY_CHARS - 8) + '"'
    assert checked_query_text(text, "filter") == text
    assert checked_query_text("", "filter") == ""


def test_longer_text_is_invalid_argument_naming_the_field_and_quoting_a_short_prefix() -> None:
    text = "title:" + "x" * 60_000
    with pytest.raises(ValidationError) as refused:
        checked_query_text(text, "filter")
    status = rpc_status_for(refused.value)
    assert status.code is grpc.StatusCode.INVALID_ARGUMENT
    assert status.message == (
        f"filter 'title:{'x' * 26}'… is 60006 characters long; at most {MAX_QUERY_CHARS} "
        "are accepted"
    )
    assert [violation.field for violation in refused.value.violations] == ["filter"]


def test_the_maximum_counts_characters_not_bytes() -> None:
    checked_query_text("🙂" * MAX_QUERY_CHARS, "query")
    with pytest.raises(ValidationError, match=r"^query "):
        checked_query_text("🙂" * (MAX_QUERY_CHARS + 1), "query")
