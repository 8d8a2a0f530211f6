"""What a valid email, password and display name are, with one field violation per broken rule."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from knowledge_kit.errors import FieldViolation, ValidationError

EMAIL_MAX_LENGTH = 254
EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
PASSWORD_MIN_DISTINCT_CHARACTERS = 5
DISPLAY_NAME_MAX_LENGTH = 100


@dataclass(frozen=True, slots=True)
class Registration:
    """Checked sign-up details: a normalized email and the display name to show."""

    email: str
    password: str
    display_name: str


def normalized_email(email: str) -> str:
    """The form emails are stored and compared in: trimmed and lower-cased."""
    return email.strip().lower()


def email_violations(email: str, field: str = "email") -> list[FieldViolation]:
    """What is wrong with an (already normalized) email; empty when nothing is."""
    if not email:
        return [FieldViolation(field, "must not be empty")]
    if len(email) > EMAIL_MAX_LENGTH:
        return [FieldViolation(field, f"must be at most {EMAIL_MAX_LENGTH} characters")]
    if not EMAIL.fullmatch(email) or ".." in email:
        return [FieldViolation(field, "must be an email address like ada@example.com")]
    return []


def password_violations(password: str, email: str, field: str = "password") -> list[FieldViolation]:
    """What makes `password` too weak for the account of `email`; empty when nothing does."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return [FieldViolation(field, f"must be at least {PASSWORD_MIN_LENGTH} characters")]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [FieldViolation(field, f"must be at most {PASSWORD_MAX_LENGTH} characters")]
    violations = []
    if len(set(password)) < PASSWORD_MIN_DISTINCT_CHARACTERS:
        violations.append(
            FieldViolation(
                field, f"must use at least {PASSWORD_MIN_DISTINCT_CHARACTERS} different characters"
            )
        )
    local_part = email.partition("@")[0]
    if len(local_part) >= 3 and local_part in password.lower():
        violations.append(FieldViolation(field, "must not contain the email address"))
    return violations


def checked_display_name(display_name: str, field: str = "display_name") -> str:
    """`display_name` trimmed, or a ValidationError when it is too long or has control characters."""
    violations = display_name_violations(display_name, field)
    if violations:
        raise ValidationError("the display name is not valid", violations)
    return display_name.strip()


def display_name_violations(display_name: str, field: str = "display_name") -> list[FieldViolation]:
    """What is wrong with a display name (empty is allowed: the email's local part is used)."""
    trimmed = display_name.strip()
    if len(trimmed) > DISPLAY_NAME_MAX_LENGTH:
        return [FieldViolation(field, f"must be at most {DISPLAY_NAME_MAX_LENGTH} characters")]
    if any(unicodedata.category(character).startswith("C") for character in trimmed):
        return [FieldViolation(field, "must not contain control characters")]
    return []


def checked_registration(email: str, password: str, display_name: str) -> Registration:
    """The sign-up details, or one ValidationError naming every bad field."""
    email = normalized_email(email)
    violations = [
        *email_violations(email),
        *password_violations(password, email),
        *display_name_violations(display_name),
    ]
    if violations:
        raise ValidationError("the registration is not valid", violations)
    return Registration(
        email=email,
        password=password,
        display_name=display_name.strip() or email.partition("@")[0],
    )


def checked_sign_in(email: str, password: str) -> str:
    """The normalized email of a sign-in; ValidationError when a field is missing or malformed."""
    email = normalized_email(email)
    violations = email_violations(email)
    if not password:
        violations.append(FieldViolation("password", "must not be empty"))
    elif len(password) > PASSWORD_MAX_LENGTH:
        violations.append(
            FieldViolation("password", f"must be at most {PASSWORD_MAX_LENGTH} characters")
        )
    if violations:
        raise ValidationError("the sign-in is not valid", violations)
    return email


class PasswordHasher(Protocol):
    """Turns secrets into slow, salted hashes and checks them in constant time."""

    async def hash(self, secret: str) -> str: ...

    async def verify(self, secret_hash: str | None, secret: str) -> bool:
        """Whether `secret` matches; with no hash, spends the same time and returns False."""
        ...

    def needs_rehash(self, secret_hash: str) -> bool: ...
