"""Etags (AIP-154), the caller of an RPC and the clock."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from knowledge_kit.api import caller, caller_name, check_etag, new_etag, utc_now
from knowledge_kit.auth import Principal
from knowledge_kit.auth.principal import set_current_principal
from knowledge_kit.errors import ConflictError, UnauthenticatedError, ValidationError


def test_every_change_gets_a_new_etag() -> None:
    assert new_etag() != new_etag()


def test_the_current_etag_passes_and_an_optional_one_may_be_left_out() -> None:
    etag = new_etag()
    check_etag(etag, etag, resource="spaces/s", field="space.etag", required=True)
    check_etag("", etag, resource="spaces/s", field="space.etag", required=False)


def test_a_stale_etag_is_aborted() -> None:
    with pytest.raises(ConflictError) as stale:
        check_etag("old", new_etag(), resource="spaces/s", field="space.etag", required=False)
    assert stale.value.status_code is grpc.StatusCode.ABORTED
    assert "spaces/s changed since it was read" in stale.value.message


def test_a_required_etag_may_not_be_left_out() -> None:
    with pytest.raises(ValidationError) as missing:
        check_etag("", new_etag(), resource="spaces/s", field="document.etag", required=True)
    assert missing.value.violations[0].field == "document.etag"


def test_the_caller_is_the_verified_principal() -> None:
    set_current_principal(Principal("users/alice"))
    try:
        assert caller() == Principal("users/alice")
        assert caller_name() == "users/alice"
    finally:
        set_current_principal(None)


def test_no_principal_is_unauthenticated() -> None:
    with pytest.raises(UnauthenticatedError):
        caller_name()


def test_the_clock_tells_utc() -> None:
    assert utc_now().utcoffset() == timedelta(0)
