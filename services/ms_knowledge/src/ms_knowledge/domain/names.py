"""Resource names of the knowledge service (AIP-122) and the ids inside them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from knowledge_kit.errors import FieldViolation, ValidationError

# A chosen id: lowercase letters, digits and dashes, starting with a letter (AIP-122).
CHOSEN_ID = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
_SEGMENT = r"[a-z0-9]([a-z0-9-]{0,62})"
_USER = re.compile(r"^users/[A-Za-z0-9._~-]{1,128}$")
_SPACE = re.compile(rf"^spaces/(?P<space>{_SEGMENT})$")
_DOCUMENT = re.compile(rf"^spaces/(?P<space>{_SEGMENT})/documents/(?P<document>{_SEGMENT})$")
_VERSION = re.compile(
    rf"^spaces/(?P<space>{_SEGMENT})/documents/(?P<document>{_SEGMENT})"
    r"/versions/(?P<revision>[1-9][0-9]{0,17})$"
)
_MEMBER = re.compile(rf"^spaces/(?P<space>{_SEGMENT})/members/(?P<user>[A-Za-z0-9._~-]{{1,128}})$")


def _invalid(field: str, value: str, expected: str) -> ValidationError:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return ValidationError(
        f"{field} {shown!r} is not {expected}",
        [FieldViolation(field, f"must look like {expected}")],
    )


def new_id() -> str:
    """A generated id for a space or document (32 hex digits)."""
    return uuid.uuid4().hex


def checked_chosen_id(value: str, field: str) -> str:
    """A caller-chosen id, or a fresh one when `value` is empty."""
    if not value:
        return new_id()
    if not CHOSEN_ID.fullmatch(value):
        raise ValidationError(
            f"{field} {value!r} is not a valid id",
            [
                FieldViolation(
                    field,
                    "must be 1-63 lowercase letters, digits or dashes, starting with a letter",
                )
            ],
        )
    return value


def checked_user_name(value: str, field: str) -> str:
    """`value` when it names a user (`users/{user}`)."""
    if not _USER.fullmatch(value):
        raise _invalid(field, value, "users/{user}")
    return value


def checked_space_name(value: str, field: str) -> str:
    """`value` when it names a space (`spaces/{space}`)."""
    if not _SPACE.fullmatch(value):
        raise _invalid(field, value, "spaces/{space}")
    return value


def space_name(space_id: str) -> str:
    """The resource name of the space with id `space_id`."""
    return f"spaces/{space_id}"


@dataclass(frozen=True, slots=True)
class DocumentName:
    """spaces/{space}/documents/{document}, split into its space and itself."""

    space: str
    name: str

    @classmethod
    def parse(cls, value: str, field: str) -> DocumentName:
        """The parts of a document name, or a ValidationError naming `field`."""
        match = _DOCUMENT.fullmatch(value)
        if match is None:
            raise _invalid(field, value, "spaces/{space}/documents/{document}")
        return cls(space=space_name(match["space"]), name=value)

    @classmethod
    def within(cls, space: str, document_id: str) -> DocumentName:
        """The name of document `document_id` in `space`."""
        return cls(space=space, name=f"{space}/documents/{document_id}")


@dataclass(frozen=True, slots=True)
class VersionName:
    """spaces/{space}/documents/{document}/versions/{revision}."""

    document: DocumentName
    revision: int

    @classmethod
    def parse(cls, value: str, field: str) -> VersionName:
        """The parts of a version name, or a ValidationError naming `field`."""
        match = _VERSION.fullmatch(value)
        if match is None:
            raise _invalid(field, value, "spaces/{space}/documents/{document}/versions/{revision}")
        space = space_name(match["space"])
        document = DocumentName(space, f"{space}/documents/{match['document']}")
        return cls(document=document, revision=int(match["revision"]))

    @staticmethod
    def format(document: str, revision: int) -> str:
        """The name of revision `revision` of `document`."""
        return f"{document}/versions/{revision}"


@dataclass(frozen=True, slots=True)
class MemberName:
    """spaces/{space}/members/{user}: a user's membership of a space."""

    space: str
    user: str

    @classmethod
    def parse(cls, value: str, field: str) -> MemberName:
        """The parts of a member name, or a ValidationError naming `field`."""
        match = _MEMBER.fullmatch(value)
        if match is None:
            raise _invalid(field, value, "spaces/{space}/members/{user}")
        return cls(space=space_name(match["space"]), user=f"users/{match['user']}")

    @staticmethod
    def format(space: str, user: str) -> str:
        """The member name of `user` (users/{id}) in `space`."""
        return f"{space}/members/{user.removeprefix('users/')}"
