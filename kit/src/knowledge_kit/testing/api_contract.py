"""The contract suite of the platform's API conventions (`knowledge_kit.api`), run against a
running server: every List* and Update* method it serves is checked, found through reflection,
so a new RPC is covered without a new test. A method the suite has no seed recipe for fails,
asking for one.

    contract = ApiContract(channel, lists={"pkg.FooService.ListBars": seed_bars}, updates={...})
    await contract.check_page_tokens()
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass

import grpc
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message

from knowledge_kit.api.pages import MAX_PAGE_SIZE
from knowledge_kit.testing.served_methods import Metadata, call, expect_refusal, served_methods

PAGE_FIELDS = frozenset({"page_size", "page_token"})
# Fields AIP-122/148/154 make read-only on every resource: a mask naming one is refused.
READ_ONLY_FIELDS = ("name", "uid", "create_time", "update_time", "etag")
MALFORMED_NAME = "not a resource/name"
LARGEST_PAGE_SIZE = 2**31 - 1


@dataclass(frozen=True)
class ListCase:
    """A List request (page fields unset) whose listing holds at least two items, and another
    listing the caller may read that its page tokens must not continue (e.g. another parent,
    filter or caller; required when the request has fields besides the page fields)."""

    request: Message
    metadata: Metadata
    other_listing: tuple[Message, Metadata] | None = None


@dataclass(frozen=True)
class UpdateCase:
    """An Update request that changes an existing resource, sent with its current etag;
    `etag_required` when the method's contract refuses a write without one."""

    request: Message
    metadata: Metadata
    etag_required: bool = False


ListSeed = Callable[[], Awaitable[ListCase]]
UpdateSeed = Callable[[], Awaitable[UpdateCase]]


class ApiContract:
    """Checks one convention per method over every List* and Update* RPC the server serves;
    `lists` and `updates` map each method's full name (`pkg.Service.Method`) to its seed."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        *,
        lists: Mapping[str, ListSeed],
        updates: Mapping[str, UpdateSeed],
    ) -> None:
        self._channel = channel
        self._lists = dict(lists)
        self._updates = dict(updates)

    async def check_page_tokens(self) -> None:
        """Tokens walk the listing once, reveal nothing, and a garbage, tampered or reused
        one is INVALID_ARGUMENT naming page_token (AIP-158)."""
        await self._each_list(self._page_tokens)

    async def check_page_sizes(self) -> None:
        """Negative page sizes are INVALID_ARGUMENT naming page_size; 0 and the largest int32
        are served, the latter at most MAX_PAGE_SIZE items."""
        await self._each_list(self._page_sizes)

    async def check_update_masks(self) -> None:
        """Masks naming an unknown or read-only field are INVALID_ARGUMENT naming update_mask
        (AIP-134); the seeded update itself succeeds."""
        await self._each_update(self._update_mask)

    async def check_resource_names(self) -> None:
        """A malformed parent (List) or resource name (Update) is INVALID_ARGUMENT naming the
        field (AIP-122)."""
        await self._each_list(self._list_parent)
        await self._each_update(self._update_name)

    async def check_etags(self) -> None:
        """An update gives the resource a new etag; replaying it with the old one is ABORTED,
        and a required etag left out is INVALID_ARGUMENT naming it (AIP-154)."""
        await self._each_update(self._etag)

    async def _each_list(
        self, check: Callable[[MethodDescriptor, ListCase], Awaitable[None]]
    ) -> None:
        async def seeded(method: MethodDescriptor) -> None:
            await check(method, await self._lists[method.full_name]())

        await _each(await self._methods("List", self._lists), seeded)

    async def _each_update(
        self, check: Callable[[MethodDescriptor, UpdateCase], Awaitable[None]]
    ) -> None:
        async def seeded(method: MethodDescriptor) -> None:
            await check(method, await self._updates[method.full_name]())

        await _each(await self._methods("Update", self._updates), seeded)

    async def _methods(self, prefix: str, seeds: Mapping[str, object]) -> list[MethodDescriptor]:
        served = [m for m in await served_methods(self._channel) if m.name.startswith(prefix)]
        names = {method.full_name for method in served}
        unseeded = sorted(names - set(seeds))
        if unseeded:
            kind = "lists" if prefix == "List" else "updates"
            raise AssertionError(
                f"no seed recipe for {', '.join(unseeded)}: give ApiContract(..., {kind}=...) "
                f"a {'ListCase' if prefix == 'List' else 'UpdateCase'} seed for each"
            )
        stale = sorted(set(seeds) - names)
        if stale:
            raise AssertionError(f"seed recipes for methods the server does not serve: {stale}")
        return served

    async def _page_tokens(self, method: MethodDescriptor, case: ListCase) -> None:
        what = method.full_name
        first = await self._list(method, case, page_size=1)
        token = first.next_page_token  # type: ignore[attr-defined]
        if not token:
            raise AssertionError(f"{what}: the seed must list at least two items")
        everything = _items(await self._list(method, case, page_size=MAX_PAGE_SIZE))
        walked = _items(first)
        while token:
            page = await self._list(method, case, page_size=1, page_token=token)
            walked.extend(_items(page))
            token = page.next_page_token  # type: ignore[attr-defined]
        if [_key(item) for item in walked] != [_key(item) for item in everything]:
            raise AssertionError(f"{what}: paging one by one does not list each item once")
        _require_opaque(what, first.next_page_token, case.request, everything)  # type: ignore[attr-defined]
        for garbage, how in (("garbage", "garbage"), (_tampered(first), "tampered")):
            await expect_refusal(
                self._list(method, case, page_size=1, page_token=garbage),
                grpc.StatusCode.INVALID_ARGUMENT,
                "page_token",
                f"{what} with a {how} page_token",
            )
        await self._reused_token(method, case, first.next_page_token)  # type: ignore[attr-defined]

    async def _reused_token(self, method: MethodDescriptor, case: ListCase, token: str) -> None:
        what = method.full_name
        if case.other_listing is None:
            depends_on = sorted(set(_field_names(method.input_type)) - PAGE_FIELDS)
            if depends_on:
                raise AssertionError(
                    f"{what}: the ListCase needs other_listing (its listing depends on "
                    f"{', '.join(depends_on)})"
                )
            return
        other, metadata = case.other_listing
        await expect_refusal(
            self._list(method, ListCase(other, metadata), page_size=1, page_token=token),
            grpc.StatusCode.INVALID_ARGUMENT,
            "page_token",
            f"{what} continuing another listing with a page_token",
        )

    async def _page_sizes(self, method: MethodDescriptor, case: ListCase) -> None:
        what = method.full_name
        await expect_refusal(
            self._list(method, case, page_size=-1),
            grpc.StatusCode.INVALID_ARGUMENT,
            "page_size",
            f"{what} with page_size -1",
        )
        if not _items(await self._list(method, case, page_size=0)):
            raise AssertionError(f"{what}: page_size 0 (the default) listed nothing")
        if len(_items(await self._list(method, case, page_size=LARGEST_PAGE_SIZE))) > MAX_PAGE_SIZE:
            raise AssertionError(f"{what}: a page holds more than {MAX_PAGE_SIZE} items")

    async def _list_parent(self, method: MethodDescriptor, case: ListCase) -> None:
        if "parent" not in _field_names(method.input_type):
            return
        request = _copy(case.request)
        request.parent = MALFORMED_NAME  # type: ignore[attr-defined]
        await expect_refusal(
            call(self._channel, method, request, case.metadata),
            grpc.StatusCode.INVALID_ARGUMENT,
            "parent",
            f"{method.full_name} with a malformed parent",
        )

    async def _update_mask(self, method: MethodDescriptor, case: UpdateCase) -> None:
        what = method.full_name
        resource = _resource_field(method)
        if resource is None or "update_mask" not in _field_names(method.input_type):
            await call(self._channel, method, case.request, case.metadata)
            return
        read_only = [f for f in READ_ONLY_FIELDS if f in _field_names(resource.message_type)]
        for path in ["no_such_field", *read_only]:
            request = _copy(case.request)
            request.update_mask.paths[:] = [path]  # type: ignore[attr-defined]
            await expect_refusal(
                call(self._channel, method, request, case.metadata),
                grpc.StatusCode.INVALID_ARGUMENT,
                "update_mask",
                f"{what} with update_mask {path!r}",
            )
        await call(self._channel, method, case.request, case.metadata)

    async def _update_name(self, method: MethodDescriptor, case: UpdateCase) -> None:
        request = _copy(case.request)
        target, prefix = _target(request, method)
        target.name = MALFORMED_NAME  # type: ignore[attr-defined]
        await expect_refusal(
            call(self._channel, method, request, case.metadata),
            grpc.StatusCode.INVALID_ARGUMENT,
            f"{prefix}name",
            f"{method.full_name} with a malformed {prefix}name",
        )

    async def _etag(self, method: MethodDescriptor, case: UpdateCase) -> None:
        what = method.full_name
        target, prefix = _target(case.request, method)
        if "etag" not in target.DESCRIPTOR.fields_by_name:
            return
        if case.etag_required:
            request = _copy(case.request)
            _target(request, method)[0].etag = ""  # type: ignore[attr-defined]
            await expect_refusal(
                call(self._channel, method, request, case.metadata),
                grpc.StatusCode.INVALID_ARGUMENT,
                f"{prefix}etag",
                f"{what} without the etag it requires",
            )
        sent = target.etag  # type: ignore[attr-defined]
        if not sent:
            raise AssertionError(f"{what}: the UpdateCase must carry the resource's current etag")
        updated = await call(self._channel, method, case.request, case.metadata)
        if sent in _strings(updated):
            raise AssertionError(f"{what}: the updated resource kept its etag {sent!r}")
        await expect_refusal(
            call(self._channel, method, case.request, case.metadata),
            grpc.StatusCode.ABORTED,
            None,
            f"{what} with the etag the resource had before the update",
        )

    def _list(
        self, method: MethodDescriptor, case: ListCase, *, page_size: int, page_token: str = ""
    ) -> Awaitable[Message]:
        request = _copy(case.request)
        request.page_size = page_size  # type: ignore[attr-defined]
        request.page_token = page_token  # type: ignore[attr-defined]
        return call(self._channel, method, request, case.metadata)


async def _each(
    methods: list[MethodDescriptor], check: Callable[[MethodDescriptor], Awaitable[None]]
) -> None:
    # Every method is checked even when one fails, so one run names every drift.
    failures: list[str] = []
    for method in methods:
        try:
            await check(method)
        except AssertionError as failed:
            failures.append(str(failed))
        except grpc.aio.AioRpcError as error:
            failures.append(f"{method.full_name}: {error.code().name}: {error.details()}")
    if failures:
        raise AssertionError("\n".join(failures))


def _field_names(message: Descriptor | None) -> list[str]:
    return [] if message is None else [field.name for field in message.fields]


def _copy(message: Message) -> Message:
    copied = type(message)()
    copied.CopyFrom(message)
    return copied


def _items(response: Message) -> list[Message]:
    repeated = [
        field
        for field in response.DESCRIPTOR.fields
        if field.is_repeated and field.type == FieldDescriptor.TYPE_MESSAGE
    ]
    if len(repeated) != 1:
        raise AssertionError(f"{response.DESCRIPTOR.full_name} must have one repeated resource")
    return list(getattr(response, repeated[0].name))


def _key(item: Message) -> bytes:
    return item.SerializeToString(deterministic=True)


def _resource_field(method: MethodDescriptor) -> FieldDescriptor | None:
    """`Update{Resource}Request.{resource}`, if the request carries the resource (AIP-134)."""
    for field in method.input_type.fields:
        kind = field.message_type
        if kind is not None and kind.full_name != "google.protobuf.FieldMask":
            return field
    return None


def _target(request: Message, method: MethodDescriptor) -> tuple[Message, str]:
    """The message holding the resource's name and etag, and the field path's prefix."""
    resource = _resource_field(method)
    if resource is None:
        return request, ""
    return getattr(request, resource.name), f"{resource.name}."


def _strings(message: Message) -> Iterator[str]:
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_STRING and not field.is_repeated:
            yield value
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not field.is_repeated:
            yield from _strings(value)


def _tampered(page: Message) -> str:
    token: str = page.next_page_token  # type: ignore[attr-defined]
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


def _require_opaque(what: str, token: str, request: Message, items: list[Message]) -> None:
    try:
        decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        decoded = b""
    readable = [
        text
        for text in (*_strings(request), *(s for i in items for s in _strings(i)))
        if len(text) >= 4
    ]
    for text in readable:
        if text in token or text.encode() in decoded:
            raise AssertionError(f"{what}: the page token reveals {text!r}")
