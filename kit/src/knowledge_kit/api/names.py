"""Resource names and ids (AIP-122), with one grammar for every service.

Every id inside a name matches `ID_SEGMENT`: generated ids (32 hex digits, which may start
with a digit) and ids a caller chose. Ids callers choose from now on follow AIP-122 more
strictly (`CHOSEN_ID`: starting with a letter, not ending with a dash), so every new id is also
a valid segment and every id stored before keeps resolving.
"""

from __future__ import annotations

import re
import uuid

from knowledge_kit.errors import FieldViolation, ValidationError

ID_SEGMENT = r"[a-z0-9][a-z0-9-]{0,62}"
CHOSEN_ID = re.compile(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?")
_VARIABLE = re.compile(r"\{([a-z_]+)\}")
_SHOWN_LENGTH = 80


def new_resource_id() -> str:
    """A generated id: 32 lowercase hex digits (a random UUID)."""
    return uuid.uuid4().hex


def checked_resource_id(value: str, field: str) -> str:
    """The id a caller chose in `field` (e.g. `space_id`), or a generated one when empty."""
    if not value:
        return new_resource_id()
    if not CHOSEN_ID.fullmatch(value):
        raise ValidationError(
            f"{field} {_shown(value)} is not a valid id",
            [
                FieldViolation(
                    field,
                    "must be 1-63 lowercase letters, digits or dashes, starting with a letter "
                    "and not ending with a dash",
                )
            ],
        )
    return value


class ResourcePattern:
    """A name template such as `spaces/{space}/documents/{document}`.

    Each `{variable}` matches `ID_SEGMENT` unless `segments` gives it another pattern (e.g.
    principal ids inside member names).
    """

    def __init__(self, template: str, **segments: str) -> None:
        self.template = template
        self.variables = tuple(_VARIABLE.findall(template))
        unknown = set(segments) - set(self.variables)
        if unknown:
            raise ValueError(f"{template} has no variable {', '.join(sorted(unknown))}")
        parts = _VARIABLE.split(template)
        pattern = "".join(
            f"(?P<{part}>{segments.get(part, ID_SEGMENT)})" if index % 2 else re.escape(part)
            for index, part in enumerate(parts)
        )
        self._regex = re.compile(pattern)

    def matches(self, value: str) -> bool:
        """Whether `value` is a name of this pattern."""
        return self._regex.fullmatch(value) is not None

    def parse(self, value: str, field: str) -> dict[str, str]:
        """The ids in `value` by variable, or INVALID_ARGUMENT naming `field`."""
        match = self._regex.fullmatch(value)
        if match is None:
            if not value:
                message = f"{field} is required: a name like {self.template}"
            else:
                message = f"{field} {_shown(value)} is not a name like {self.template}"
            raise ValidationError(
                message, [FieldViolation(field, f"must look like {self.template}")]
            )
        return match.groupdict()

    def check(self, value: str, field: str) -> str:
        """`value` when it is a name of this pattern, else INVALID_ARGUMENT naming `field`."""
        self.parse(value, field)
        return value

    def format(self, **ids: str) -> str:
        """The name with each variable replaced by its id."""
        return _VARIABLE.sub(lambda match: ids[match[1]], self.template)


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN_LENGTH else value[: _SHOWN_LENGTH - 3] + "...")
