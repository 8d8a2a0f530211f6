"""Sign-up rules: each broken rule names its field."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import ValidationError

from ms_auth.domain.credentials import checked_registration, checked_sign_in


def violated_fields(error: ValidationError) -> list[str]:
    return [violation.field for violation in error.violations]


def test_registration_normalizes_the_email_and_defaults_the_display_name() -> None:
    registration = checked_registration("  Ada@Example.COM ", "analytical engine 1843", "")
    assert registration.email == "ada@example.com"
    assert registration.display_name == "ada"


@pytest.mark.parametrize("email", ["", "ada", "ada@", "@example.com", "ada@example", "a..b@x.io"])
def test_malformed_emails_are_refused_naming_the_email_field(email: str) -> None:
    with pytest.raises(ValidationError) as refused:
        checked_registration(email, "analytical engine 1843", "")
    assert violated_fields(refused.value) == ["email"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "different characters"),
        ("my ada password", "must not contain the email address"),
        ("x" * 300, "at most 256 characters"),
    ],
)
def test_weak_passwords_are_refused_saying_why(password: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        checked_registration("ada@example.com", password, "")
    assert violated_fields(refused.value) == ["password"]
    assert reason in refused.value.violations[0].description


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as refused:
        checked_registration("not-an-email", "short", "x" * 101)
    assert violated_fields(refused.value) == ["email", "password", "display_name"]


def test_display_names_with_control_characters_are_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        checked_registration("ada@example.com", "analytical engine 1843", "Ada\x00")
    assert violated_fields(refused.value) == ["display_name"]


def test_a_sign_in_needs_both_fields() -> None:
    with pytest.raises(ValidationError) as refused:
        checked_sign_in("", "")
    assert violated_fields(refused.value) == ["email", "password"]
