"""Field masks of update requests (AIP-134): which fields a caller asked to change."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge_kit.errors import FieldViolation, ValidationError


def checked_update_mask(update_mask: Sequence[str], updatable: Sequence[str]) -> set[str]:
    """The paths of `update_mask`, which must name at least one of `updatable` and nothing else."""
    allowed = " and/or ".join(updatable)
    if not update_mask:
        raise ValidationError(
            "update_mask names no field to change",
            [FieldViolation("update_mask", f"must name {allowed}")],
        )
    unknown = [path for path in update_mask if path not in updatable]
    if unknown:
        raise ValidationError(
            f"update_mask names fields that cannot be updated: {', '.join(unknown)}",
            [FieldViolation("update_mask", f"may only name {allowed}")],
        )
    return set(update_mask)
