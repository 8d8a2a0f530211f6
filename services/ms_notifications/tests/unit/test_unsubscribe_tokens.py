"""One-click unsubscribe tokens: they name the user and category they were issued for, and
nothing altered or made up passes."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import ValidationError

from ms_notifications.domain.unsubscribe import UnsubscribeTokens

TOKENS = UnsubscribeTokens(b"a secret of the service, long enough")


def test_a_token_names_the_user_and_category_it_was_issued_for() -> None:
    token = TOKENS.issue("users/ada", 2)
    assert TOKENS.verify(token) == ("users/ada", 2)
    assert token.isascii() and "/" not in token and "+" not in token and "=" not in token


def test_users_with_colons_and_unicode_survive() -> None:
    assert TOKENS.verify(TOKENS.issue("users/zoë:1", 4)) == ("users/zoë:1", 4)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nothing",
        "a.b.c",
        "!!!.???",
        TOKENS.issue("users/ada", 2).replace(".", ".A"),
        UnsubscribeTokens(b"another service's secret, long").issue("users/ada", 2),
    ],
)
def test_anything_but_our_token_is_refused_naming_the_field(token: str) -> None:
    with pytest.raises(ValidationError) as error:
        TOKENS.verify(token)
    assert [violation.field for violation in error.value.violations] == ["token"]


def test_another_users_token_cannot_be_made_from_ones_own() -> None:
    payload, mac = TOKENS.issue("users/ada", 2).split(".")
    forged_payload = TOKENS.issue("users/bob", 2).split(".")[0]
    with pytest.raises(ValidationError):
        TOKENS.verify(f"{forged_payload}.{mac}")
    assert payload != forged_payload


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        UnsubscribeTokens(b"short")
