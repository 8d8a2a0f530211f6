"""A spent rate as the status a client can act on: RESOURCE_EXHAUSTED whose details carry when
to retry (google.rpc.RetryInfo) and which quota was spent (google.rpc.QuotaFailure)."""

from __future__ import annotations

import math

from google.protobuf.duration_pb2 import Duration
from google.rpc import code_pb2, error_details_pb2, status_pb2  # type: ignore[import-untyped]

from ..domain.errors import RateLimitedError

QUOTA = "activities recorded per user per minute"


def rate_limited_trailers(refused: RateLimitedError, user: str) -> tuple[tuple[str, bytes], ...]:
    """The `grpc-status-details-bin` trailer for `refused` (RetryInfo only when retrying helps)."""
    status = status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED, message=refused.message)
    if refused.retry_after != math.inf:
        delay = Duration()
        delay.FromMilliseconds(math.ceil(refused.retry_after * 1000))
        status.details.add().Pack(error_details_pb2.RetryInfo(retry_delay=delay))
    failure = error_details_pb2.QuotaFailure()
    failure.violations.add(subject=user, description=QUOTA)
    status.details.add().Pack(failure)
    return (("grpc-status-details-bin", status.SerializeToString()),)


def retry_delay_of(trailers: object) -> float | None:
    """The seconds a refusal's RetryInfo asks to wait (None without one); for clients and tests."""
    for key, value in trailers or ():  # type: ignore[attr-defined]
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            for detail in status_pb2.Status.FromString(value).details:
                info = error_details_pb2.RetryInfo()
                if detail.Unpack(info):
                    return float(info.retry_delay.ToTimedelta().total_seconds())
    return None
