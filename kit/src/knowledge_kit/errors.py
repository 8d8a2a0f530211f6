"""Domain errors every service raises, and the one place they become gRPC statuses."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2


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


INTERNAL_MESSAGE = "internal error"


@dataclass(frozen=True, slots=True)
class RpcStatus:
    """What a client receives for an error: code, safe message, and rich details (trailers)."""

    code: grpc.StatusCode
    message: str
    trailing_metadata: tuple[tuple[str, bytes], ...] = ()


def rpc_status_for(error: BaseException) -> RpcStatus:
    """Map any exception to the status a client may see; unexpected ones become bare INTERNAL."""
    if not isinstance(error, DomainError):
        return RpcStatus(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
    if isinstance(error, ValidationError) and error.violations:
        return RpcStatus(
            error.status_code, error.message, _bad_request_details(error.message, error.violations)
        )
    return RpcStatus(error.status_code, error.message)


def _bad_request_details(
    message: str, violations: list[FieldViolation]
) -> tuple[tuple[str, bytes], ...]:
    bad_request = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in violations
        ]
    )
    detail = any_pb2.Any()
    detail.Pack(bad_request)
    status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=[detail])
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
