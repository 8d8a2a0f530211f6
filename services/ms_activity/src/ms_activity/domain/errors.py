"""The service's own refusal, next to the kit's errors."""

from __future__ import annotations

import grpc
from knowledge_kit.errors import DomainError


class RateLimitedError(DomainError):
    """The caller recorded more than their share this minute: RESOURCE_EXHAUSTED, to be retried
    after `retry_after` seconds (infinite: never, the batch is larger than a minute allows)."""

    status_code = grpc.StatusCode.RESOURCE_EXHAUSTED

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
