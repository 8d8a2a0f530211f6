"""The resource names this service reads and writes (AIP-122)."""

from __future__ import annotations

from knowledge_kit.api import ResourcePattern

SPACE = ResourcePattern("spaces/{space}")
DOCUMENT = ResourcePattern("spaces/{space}/documents/{document}")
REINDEX_OPERATION = ResourcePattern("spaces/{space}/reindexOperations/{operation}")


def space_of(document: str) -> str:
    """spaces/{space} of a well-formed document name."""
    return "/".join(document.split("/", 2)[:2])
