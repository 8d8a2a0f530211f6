"""A canvas: a board of nodes and edges inside a Knowledge space."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from knowledge_kit.errors import FieldViolation, ValidationError

SPACE_NAME = re.compile(r"^spaces/[a-z0-9][a-z0-9-]{0,62}$")
CANVAS_NAME = re.compile(r"^(spaces/[a-z0-9][a-z0-9-]{0,62})/canvases/([a-z0-9][a-z0-9-]{0,62})$")
CANVAS_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
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
    match = CANVAS_NAME.match(name)
    if match is None:
        raise ValidationError(
            f"{field} must look like spaces/{{space}}/canvases/{{canvas}}, got {name!r}",
            [FieldViolation(field, "must look like spaces/{space}/canvases/{canvas}")],
        )
    return match.group(1)


def checked_space_name(name: str, field: str) -> str:
    """`name` if it is `spaces/{space}`, else INVALID_ARGUMENT."""
    if SPACE_NAME.match(name) is None:
        raise ValidationError(
            f"{field} must look like spaces/{{space}}, got {name!r}",
            [FieldViolation(field, "must look like spaces/{space}")],
        )
    return name


def checked_canvas_id(canvas_id: str) -> str:
    """A client-chosen canvas id: lowercase letters, digits and dashes, up to 63."""
    if CANVAS_ID.match(canvas_id) is None:
        raise ValidationError(
            f"canvas_id {canvas_id!r} must be lowercase letters, digits and dashes (1-63)",
            [FieldViolation("canvas_id", "must be lowercase letters, digits and dashes (1-63)")],
        )
    return canvas_id


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
