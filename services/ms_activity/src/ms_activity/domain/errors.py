"""The service's own refusal, next to the kit's errors."""

from __future__ import annotations

import grpc
from knowledge_kit.errors import DomainError


class RateLimitedError(DomainError):
    """The caller recorded more than their share this minute: RESOURCE_EXHAUSTED, retry later."""

    status_code = grpc.StatusCode.RESOURCE_EXHAUSTED
