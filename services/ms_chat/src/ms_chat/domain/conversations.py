"""A conversation: one user's chat with the knowledge base, and the branch they look at."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from knowledge_kit.api import new_etag
from knowledge_kit.errors import FieldViolation, ValidationError

from .names import SPACE

MAX_TITLE_CHARS = 200
MAX_SPACES = 50
UPDATABLE_FIELDS = ("title", "spaces", "archived", "current_message")


@dataclass(frozen=True, slots=True)
class Conversation:
    name: str
    owner: str
    title: str
    spaces: tuple[str, ...]
    archived: bool
    etag: str
    current_message: str
    create_time: datetime
    update_time: datetime

    def changed(self, changes: ConversationChanges, now: datetime) -> Conversation:
        """The conversation with the fields named in `changes.paths` set, a new etag."""
        paths = changes.paths
        return replace(
            self,
            title=checked_title(changes.title, "conversation.title")
            if "title" in paths
            else self.title,
            spaces=checked_spaces(changes.spaces, "conversation.spaces")
            if "spaces" in paths
            else self.spaces,
            archived=changes.archived if "archived" in paths else self.archived,
            current_message=changes.current_message
            if "current_message" in paths
            else self.current_message,
            etag=new_etag(),
            update_time=now,
        )


@dataclass(frozen=True, slots=True)
class ConversationChanges:
    """The fields an update sets (`paths`) and their new values."""

    paths: frozenset[str]
    title: str = ""
    spaces: tuple[str, ...] = ()
    archived: bool = False
    current_message: str = ""


def checked_title(title: str, field: str) -> str:
    title = title.strip()
    if len(title) > MAX_TITLE_CHARS:
        raise ValidationError(
            f"{field} is {len(title)} characters long; at most {MAX_TITLE_CHARS} are accepted",
            [FieldViolation(field, f"must be at most {MAX_TITLE_CHARS} characters")],
        )
    return title


def checked_spaces(spaces: tuple[str, ...], field: str) -> tuple[str, ...]:
    """Distinct space names in the order given; INVALID_ARGUMENT naming the first bad one."""
    if len(spaces) > MAX_SPACES:
        raise ValidationError(
            f"{field} names {len(spaces)} spaces; at most {MAX_SPACES} are accepted",
            [FieldViolation(field, f"must name at most {MAX_SPACES} spaces")],
        )
    for index, space in enumerate(spaces):
        SPACE.check(space, f"{field}[{index}]")
    return tuple(dict.fromkeys(spaces))


def title_from(question: str) -> str:
    """A title for a conversation that has none, from its first question."""
    line = " ".join(question.split())
    if len(line) <= 80:
        return line
    return line[:79].rsplit(" ", 1)[0] + "…"
