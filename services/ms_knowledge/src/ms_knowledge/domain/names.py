"""Resource names of the knowledge service (AIP-122), in the kit's one grammar of names."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge_kit.api import ResourcePattern

# Users are named by the Auth service (`users/{id}` of a token's principal), not by this one.
_PRINCIPAL_ID = r"[A-Za-z0-9._~-]{1,128}"

USER = ResourcePattern("users/{user}", user=_PRINCIPAL_ID)
SPACE = ResourcePattern("spaces/{space}")
DOCUMENT = ResourcePattern("spaces/{space}/documents/{document}")
VERSION = ResourcePattern(
    "spaces/{space}/documents/{document}/versions/{revision}", revision=r"[1-9][0-9]{0,17}"
)
MEMBER = ResourcePattern("spaces/{space}/members/{user}", user=_PRINCIPAL_ID)


def checked_user_name(value: str, field: str) -> str:
    """`value` when it names a user (`users/{user}`)."""
    return USER.check(value, field)


def checked_space_name(value: str, field: str) -> str:
    """`value` when it names a space (`spaces/{space}`)."""
    return SPACE.check(value, field)


def space_name(space_id: str) -> str:
    """The resource name of the space with id `space_id`."""
    return SPACE.format(space=space_id)


@dataclass(frozen=True, slots=True)
class DocumentName:
    """spaces/{space}/documents/{document}, split into its space and itself."""

    space: str
    name: str

    @classmethod
    def parse(cls, value: str, field: str) -> DocumentName:
        """The parts of a document name, or a ValidationError naming `field`."""
        return cls(space=space_name(DOCUMENT.parse(value, field)["space"]), name=value)

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
        ids = VERSION.parse(value, field)
        space = space_name(ids["space"])
        document = DocumentName(
            space, DOCUMENT.format(space=ids["space"], document=ids["document"])
        )
        return cls(document=document, revision=int(ids["revision"]))

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
        ids = MEMBER.parse(value, field)
        return cls(space=space_name(ids["space"]), user=USER.format(user=ids["user"]))

    @staticmethod
    def format(space: str, user: str) -> str:
        """The member name of `user` (users/{id}) in `space`."""
        return f"{space}/members/{user.removeprefix('users/')}"
