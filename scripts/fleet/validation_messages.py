"""Turning a pydantic ValidationError into one line that names the file, line and key."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from fleet.located_yaml import LocatedDocument


def dotted(location: tuple[str | int, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def describe_error(error: ErrorDetails, document: LocatedDocument) -> str:
    location = tuple(error["loc"])
    line = document.line_of(location)
    where = f"{document.path.name}:{line}" if line else document.path.name
    key = dotted(location)
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key '{key}'"
    if error["type"] == "missing":
        return f"{where}: missing required key '{key}'"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {key}: {message}" if key else f"{where}: {message}"


SHOWN_PROBLEMS = 3


def describe_validation_error(exc: ValidationError, document: LocatedDocument) -> str:
    """Up to three problems on one line, and how many more there are."""
    errors = exc.errors()
    text = "; ".join(describe_error(error, document) for error in errors[:SHOWN_PROBLEMS])
    hidden = len(errors) - SHOWN_PROBLEMS
    if hidden > 0:
        text += f" (and {hidden} more)"
    return text
