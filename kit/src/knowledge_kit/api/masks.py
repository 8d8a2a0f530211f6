"""Update masks (AIP-134): which fields of a resource an Update request changes.

One rule for every service: an empty mask means the updatable fields the request populated,
`*` means every updatable field, and any other path must be an updatable field.
"""

from __future__ import annotations

from collections.abc import Collection

from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message

from knowledge_kit.errors import FieldViolation, ValidationError

ALL_FIELDS = "*"


def update_paths(
    update_mask: FieldMask, resource: Message, updatable: Collection[str]
) -> frozenset[str]:
    """The updatable fields of `resource` the request changes; INVALID_ARGUMENT naming
    `update_mask` for a path that is unknown or may not be changed, or for no change at all."""
    paths = list(update_mask.paths)
    if paths == [ALL_FIELDS]:
        return frozenset(updatable)
    if not paths:
        populated = {field.name for field, _ in resource.ListFields()}
        paths = [path for path in updatable if path in populated]
    refused = [path for path in paths if path not in updatable]
    if refused:
        known = resource.DESCRIPTOR.fields_by_name
        reasons = [
            f"{path} cannot be changed" if path in known else f"{path} is not a field"
            for path in refused
        ]
        raise ValidationError(
            f"update_mask of {resource.DESCRIPTOR.name}: {'; '.join(reasons)}",
            [FieldViolation("update_mask", f"may only name {_listed(updatable)} or *")],
        )
    if not paths:
        raise ValidationError(
            "the request changes nothing: set a field or name it in update_mask",
            [FieldViolation("update_mask", f"must name {_listed(updatable)} or *")],
        )
    return frozenset(paths)


def _listed(fields: Collection[str]) -> str:
    return ", ".join(sorted(fields))
