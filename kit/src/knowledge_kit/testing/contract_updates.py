"""The contract suite's checks of one Update RPC: the mask, the name, the etag (AIP-134,
AIP-122, AIP-154)."""

from __future__ import annotations

from collections.abc import Awaitable

import grpc
from google.protobuf.descriptor import FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message

from knowledge_kit.testing.contract_cases import UpdateCase
from knowledge_kit.testing.contract_lists import MALFORMED_NAME
from knowledge_kit.testing.contract_messages import copied, field_names, strings_of
from knowledge_kit.testing.served_methods import call, expect_refusal

# Fields AIP-122/148/154 make read-only on every resource: a mask naming one is refused.
READ_ONLY_FIELDS = ("name", "uid", "create_time", "update_time", "etag")


class UpdateChecks:
    """Checks `method` of the server behind `channel` with the update `case` seeded."""

    def __init__(
        self, channel: grpc.aio.Channel, method: MethodDescriptor, case: UpdateCase
    ) -> None:
        self._channel = channel
        self._method = method
        self._case = case
        self._what = method.full_name
        self._resource = _resource_field(method)
        self._prefix = "" if self._resource is None else f"{self._resource.name}."

    async def update_mask(self) -> None:
        """A mask naming an unknown or read-only field is INVALID_ARGUMENT naming update_mask;
        the seeded update itself succeeds."""
        if self._resource is not None and "update_mask" in field_names(self._method.input_type):
            read_only = [
                field
                for field in READ_ONLY_FIELDS
                if field in field_names(self._resource.message_type)
            ]
            for path in ["no_such_field", *read_only]:
                request = copied(self._case.request)
                request.update_mask.paths[:] = [path]  # type: ignore[attr-defined]
                await self._refused(
                    request,
                    grpc.StatusCode.INVALID_ARGUMENT,
                    "update_mask",
                    f"update_mask {path!r}",
                )
        await self._send(self._case.request)

    async def name(self) -> None:
        """A malformed resource name is INVALID_ARGUMENT naming it."""
        request = copied(self._case.request)
        self._target(request).name = MALFORMED_NAME  # type: ignore[attr-defined]
        field = f"{self._prefix}name"
        await self._refused(
            request, grpc.StatusCode.INVALID_ARGUMENT, field, f"a malformed {field}"
        )

    async def etag(self) -> None:
        """An update gives a new etag and replaying it with the old one is ABORTED; a required
        etag left out is INVALID_ARGUMENT naming it."""
        target = self._target(self._case.request)
        if "etag" not in target.DESCRIPTOR.fields_by_name:
            return
        field = f"{self._prefix}etag"
        if self._case.etag_required:
            request = copied(self._case.request)
            self._target(request).etag = ""  # type: ignore[attr-defined]
            await self._refused(
                request, grpc.StatusCode.INVALID_ARGUMENT, field, "no etag where it is required"
            )
        sent: str = target.etag  # type: ignore[attr-defined]
        if not sent:
            raise AssertionError(f"{self._what}: the UpdateCase must carry the current {field}")
        updated = await self._send(self._case.request)
        if sent in strings_of(updated):
            raise AssertionError(f"{self._what}: the updated resource kept its etag {sent!r}")
        await self._refused(
            self._case.request,
            grpc.StatusCode.ABORTED,
            None,
            "the etag the resource had before the update",
        )

    def _target(self, request: Message) -> Message:
        """The message holding the resource's name and etag: the resource, or the request."""
        if self._resource is None:
            return request
        resource: Message = getattr(request, self._resource.name)
        return resource

    def _send(self, request: Message) -> Awaitable[Message]:
        return call(self._channel, self._method, request, self._case.metadata)

    async def _refused(
        self, request: Message, code: grpc.StatusCode, field: str | None, sent_with: str
    ) -> None:
        await expect_refusal(self._send(request), code, field, f"{self._what} with {sent_with}")


def _resource_field(method: MethodDescriptor) -> FieldDescriptor | None:
    """`Update{Resource}Request.{resource}`, if the request carries the resource (AIP-134)."""
    for field in method.input_type.fields:
        kind = field.message_type
        if kind is not None and kind.full_name != "google.protobuf.FieldMask":
            return field
    return None
