"""Etags (AIP-154): a fresh one with every change, and the one answer to a stale one."""

from __future__ import annotations

import secrets

from knowledge_kit.errors import ConflictError, FieldViolation, ValidationError


def new_etag() -> str:
    """A fresh etag for a resource that was created or changed (16 hex digits)."""
    return secrets.token_hex(8)


def check_etag(sent: str, current: str, *, resource: str, field: str, required: bool) -> None:
    """Pass when `sent` is `current`, or empty where the write does not require it.

    INVALID_ARGUMENT naming `field` when a required etag is missing; ABORTED when `sent` is
    stale, so the caller knows to read `resource` again and reapply its change.
    """
    if not sent:
        if required:
            raise ValidationError(
                f"the current etag of {resource} is required",
                [FieldViolation(field, "must be the etag the resource was read with")],
            )
        return
    if sent != current:
        raise ConflictError(
            f"{resource} changed since it was read (stale etag); read it again and reapply "
            "the change"
        )
