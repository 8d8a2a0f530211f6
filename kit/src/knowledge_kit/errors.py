"""Domain errors every service raises, and the one place they become gRPC statuses."""

from __future__ import annotations

import re
from dataclasses import dataclass

import grpc
from google.rpc import code_pb2, error_details_pb2, status_pb2

from knowledge_kit.database.availability import database_unreachable


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One bad field of a request: its path (e.g. `document.title`) and what is wrong with it."""

    field: str
    description: str


class DomainError(Exception):
    """Base of the errors a use case raises on purpose; the message is safe to show a caller."""

    status_code = grpc.StatusCode.FAILED_PRECONDITION

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    """The named resource does not exist (or the caller may not know that it does)."""

    status_code = grpc.StatusCode.NOT_FOUND


class ValidationError(DomainError):
    """The request is malformed; `violations` name each bad field."""

    status_code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, message: str, violations: list[FieldViolation] | None = None) -> None:
        super().__init__(message)
        self.violations = list(violations or [])


class AlreadyExistsError(DomainError):
    """A resource with the requested name already exists."""

    status_code = grpc.StatusCode.ALREADY_EXISTS


class ConflictError(DomainError):
    """A concurrent change won (stale etag, version mismatch); retrying may succeed."""

    status_code = grpc.StatusCode.ABORTED


class PermissionDeniedError(DomainError):
    """The caller is known but may not do this."""

    status_code = grpc.StatusCode.PERMISSION_DENIED


class UnauthenticatedError(DomainError):
    """The caller presented no credentials, or credentials that cannot be trusted."""

    status_code = grpc.StatusCode.UNAUTHENTICATED


class DependencyUnavailableError(DomainError):
    """A service this one calls did not answer in time, or is down; retrying later may succeed."""

    status_code = grpc.StatusCode.UNAVAILABLE

    def __init__(self, dependency: str) -> None:
        super().__init__(f"{dependency}, which this service depends on, is unavailable")
        self.dependency = dependency


# What a failed downstream call's status says about the service it called: not there now.
DEPENDENCY_DOWN_CODES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    }
)

INTERNAL_MESSAGE = "internal error"
DEPENDENCY_DOWN_MESSAGE = "a service this one depends on is unavailable"
DATABASE_DOWN_MESSAGE = "the service's database is unavailable; retry later"

# Statuses travel as trailers, which clients refuse beyond 8-16 KiB (grpc-message is
# percent-encoded, the details base64): messages often quote what the caller sent, which may be
# a megabyte, so each text is cut, and each quoted value in it first.
MAX_QUOTED_CHARS = 64
MAX_MESSAGE_BYTES = 1024
MAX_FIELD_BYTES = 128
MAX_DESCRIPTION_BYTES = 256
MAX_DETAILS_BYTES = 3072
ELLIPSIS = "…"
# A quote opens after a non-word character (so "caller's" opens none) and closes at its twin.
_QUOTED = re.compile(r"""(?<!\w)(['"])(.*?)\1""", re.DOTALL)


@dataclass(frozen=True, slots=True)
class RpcStatus:
    """What a client receives for an error: code, safe message, and rich details (trailers)."""

    code: grpc.StatusCode
    message: str
    trailing_metadata: tuple[tuple[str, bytes], ...] = ()


def rpc_status_for(error: BaseException) -> RpcStatus:
    """Map any exception to the status a client may see: a downstream call's UNAVAILABLE,
    DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED, and a database that cannot be reached, become
    UNAVAILABLE; unexpected ones bare INTERNAL."""
    if isinstance(error, grpc.aio.AioRpcError) and error.code() in DEPENDENCY_DOWN_CODES:
        # A downstream call on a channel other than the kit's, which names the dependency.
        return RpcStatus(grpc.StatusCode.UNAVAILABLE, DEPENDENCY_DOWN_MESSAGE)
    if database_unreachable(error):
        return RpcStatus(grpc.StatusCode.UNAVAILABLE, DATABASE_DOWN_MESSAGE)
    if not isinstance(error, DomainError):
        return RpcStatus(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
    message = bounded_text(error.message, MAX_MESSAGE_BYTES)
    if isinstance(error, ValidationError) and error.violations:
        return RpcStatus(
            error.status_code, message, _bad_request_details(message, error.violations)
        )
    return RpcStatus(error.status_code, message)


def bounded_text(text: str, max_bytes: int) -> str:
    """`text` with each quoted value cut to MAX_QUOTED_CHARS, then cut to `max_bytes` of UTF-8."""
    text = _QUOTED.sub(_cut_quoted, text)
    encoded = text.encode()
    if len(encoded) <= max_bytes:
        return text
    kept = encoded[: max_bytes - len(ELLIPSIS.encode())].decode(errors="ignore")
    return kept + ELLIPSIS


def _cut_quoted(quoted: re.Match[str]) -> str:
    quote, value = quoted.group(1), quoted.group(2)
    if len(value) <= MAX_QUOTED_CHARS:
        return quoted.group(0)
    return f"{quote}{value[:MAX_QUOTED_CHARS]}{ELLIPSIS}{quote}"


def _bad_request_details(
    message: str, violations: list[FieldViolation]
) -> tuple[tuple[str, bytes], ...]:
    status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message)
    bad_request = error_details_pb2.BadRequest()
    for violation in violations:
        bad_request.field_violations.add(
            field=bounded_text(violation.field, MAX_FIELD_BYTES),
            description=bounded_text(violation.description, MAX_DESCRIPTION_BYTES),
        )
        if status.ByteSize() + bad_request.ByteSize() > MAX_DETAILS_BYTES:
            del bad_request.field_violations[-1]  # the message still says what is wrong
            break
    status.details.add().Pack(bad_request)
    return (("grpc-status-details-bin", status.SerializeToString()),)


def field_violations_of(error: grpc.aio.AioRpcError) -> list[FieldViolation]:
    """The field violations a failed call carried (empty when it carried none)."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            violations: list[FieldViolation] = []
            for detail in status.details:
                bad_request = error_details_pb2.BadRequest()
                if detail.Unpack(bad_request):
                    violations.extend(
                        FieldViolation(v.field, v.description) for v in bad_request.field_violations
                    )
            return violations
    return []
