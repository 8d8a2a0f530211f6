"""What every request handler needs: the caller, and the fields an update asks to change."""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from knowledge_kit.auth import current_principal
from knowledge_kit.errors import UnauthenticatedError


def caller_name() -> str:
    """`users/{id}` (or `serviceAccounts/{id}`) of the authenticated caller."""
    principal = current_principal()
    if principal is None:
        raise UnauthenticatedError("this method needs a bearer token")
    return principal.name


def mask_paths(update_mask: FieldMask, resource: Message, fields: Sequence[str]) -> list[str]:
    """The paths of `update_mask`, or (AIP-134) the updatable fields set in `resource` when the
    mask is empty."""
    if update_mask.paths:
        return list(update_mask.paths)
    return [field for field in fields if getattr(resource, field)]
