"""What the chat needs from outside: passages retrieved as the asker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .answers import Passage


class Retriever(Protocol):
    async def retrieve(
        self, token: str, question: str, spaces: Sequence[str], limit: int
    ) -> list[Passage]:
        """At most `limit` passages best answering `question`, best first, from `spaces` (every
        space the asker may read when empty), searched with the asker's `token`: never a
        passage the asker may not read. Raises DependencyUnavailableError when the search is
        unavailable."""
        ...
