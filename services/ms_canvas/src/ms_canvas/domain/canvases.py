"""A canvas: a board of nodes and edges inside a Knowledge space."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from knowledge_kit.api import ResourcePattern
from knowledge_kit.errors import FieldViolation, ValidationError

SPACE = ResourcePattern("spaces/{space}")
CANVAS = ResourcePattern("spaces/{space}/canvases/{canvas}")
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Canvas:
    name: str  # spaces/{space}/canvases/{canvas}
    title: str
    description: str
    revision: int
    etag: str
    create_time: datetime
    update_time: datetime
    creator: str

    @property
    def space(self) -> str:
        return space_of(self.name)


def space_of(canvas_name: str) -> str:
    """The space a canvas name belongs to; INVALID_ARGUMENT naming the field if malformed."""
    return checked_canvas_name(canvas_name, "name")


def checked_canvas_name(name: str, field: str) -> str:
    """The space of a well-formed `spaces/{space}/canvases/{canvas}`, else INVALID_ARGUMENT."""
    return SPACE.format(space=CANVAS.parse(name, field)["space"])


def checked_space_name(name: str, field: str) -> str:
    """`name` if it is `spaces/{space}`, else INVALID_ARGUMENT."""
    return SPACE.check(name, field)


def canvas_name(space: str, canvas_id: str) -> str:
    """The name of canvas `canvas_id` in space `space` (`spaces/{space}`)."""
    return f"{space}/canvases/{canvas_id}"


def checked_title(title: str) -> str:
    """A non-empty one-line title of at most TITLE_MAX_LENGTH characters."""
    stripped = title.strip()
    if not stripped or "\n" in stripped or len(stripped) > TITLE_MAX_LENGTH:
        raise ValidationError(
            "canvas.title must be one non-empty line",
            [
                FieldViolation(
                    "canvas.title", f"must be one line of 1-{TITLE_MAX_LENGTH} characters"
                )
            ],
        )
    return stripped


def checked_description(description: str) -> str:
    """A description of at most DESCRIPTION_MAX_LENGTH characters."""
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            "canvas.description is too long",
            [FieldViolation("canvas.description", f"at most {DESCRIPTION_MAX_LENGTH} characters")],
        )
    return description
