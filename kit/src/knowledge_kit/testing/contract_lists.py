"""The contract suite's checks of one List RPC: page tokens, page sizes, the parent (AIP-158,
AIP-122)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable

import grpc
from google.protobuf.descriptor import FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message

from knowledge_kit.api.pages import MAX_PAGE_SIZE
from knowledge_kit.testing.contract_cases import ListCase
from knowledge_kit.testing.contract_messages import copied, field_names, strings_of
from knowledge_kit.testing.served_methods import call, expect_refusal

PAGE_FIELDS = frozenset({"page_size", "page_token"})
MALFORMED_NAME = "not a resource/name"
LARGEST_PAGE_SIZE = 2**31 - 1


class ListChecks:
    """Checks `method` of the server behind `channel` with the listing `case` seeded."""

    def __init__(self, channel: grpc.aio.Channel, method: MethodDescriptor, case: ListCase) -> None:
        self._channel = channel
        self._method = method
        self._case = case
        self._what = method.full_name

    async def page_tokens(self) -> None:
        """Tokens walk the listing once and reveal nothing; garbage, tampered and reused ones
        are INVALID_ARGUMENT naming page_token."""
        first = await self._list(page_size=1)
        token: str = first.next_page_token  # type: ignore[attr-defined]
        if not token:
            raise AssertionError(f"{self._what}: the seed must list at least two items")
        everything = _items(await self._list(page_size=MAX_PAGE_SIZE))
        walked = _items(first)
        following = token
        while following:
            page = await self._list(page_size=1, page_token=following)
            walked.extend(_items(page))
            following = page.next_page_token  # type: ignore[attr-defined]
        if [_key(item) for item in walked] != [_key(item) for item in everything]:
            raise AssertionError(f"{self._what}: paging one by one does not list each item once")
        self._require_opaque(token, everything)
        for garbage, how in (("garbage", "garbage"), (_tampered(token), "tampered")):
            await expect_refusal(
                self._list(page_size=1, page_token=garbage),
                grpc.StatusCode.INVALID_ARGUMENT,
                "page_token",
                f"{self._what} with a {how} page_token",
            )
        await self._reused(token)

    async def page_sizes(self) -> None:
        """Negative is INVALID_ARGUMENT naming page_size; 0 lists the default, and the largest
        int32 at most MAX_PAGE_SIZE items."""
        await expect_refusal(
            self._list(page_size=-1),
            grpc.StatusCode.INVALID_ARGUMENT,
            "page_size",
            f"{self._what} with page_size -1",
        )
        if not _items(await self._list(page_size=0)):
            raise AssertionError(f"{self._what}: page_size 0 (the default) listed nothing")
        largest = _items(await self._list(page_size=LARGEST_PAGE_SIZE))
        if len(largest) > MAX_PAGE_SIZE:
            raise AssertionError(f"{self._what}: a page holds more than {MAX_PAGE_SIZE} items")

    async def parent(self) -> None:
        """A malformed parent is INVALID_ARGUMENT naming parent."""
        if "parent" not in field_names(self._method.input_type):
            return
        request = copied(self._case.request)
        request.parent = MALFORMED_NAME  # type: ignore[attr-defined]
        await expect_refusal(
            call(self._channel, self._method, request, self._case.metadata),
            grpc.StatusCode.INVALID_ARGUMENT,
            "parent",
            f"{self._what} with a malformed parent",
        )

    async def _reused(self, token: str) -> None:
        if self._case.other_listing is None:
            depends_on = sorted(set(field_names(self._method.input_type)) - PAGE_FIELDS)
            if depends_on:
                raise AssertionError(
                    f"{self._what}: the ListCase needs other_listing (its listing depends on "
                    f"{', '.join(depends_on)})"
                )
            return
        other, metadata = self._case.other_listing
        await expect_refusal(
            self._list(page_size=1, page_token=token, request=other, metadata=metadata),
            grpc.StatusCode.INVALID_ARGUMENT,
            "page_token",
            f"{self._what} continuing another listing with a page_token",
        )

    def _require_opaque(self, token: str, items: list[Message]) -> None:
        try:
            decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            decoded = b""
        shown = [*strings_of(self._case.request), *(s for i in items for s in strings_of(i))]
        for text in (text for text in shown if len(text) >= 4):
            if text in token or text.encode() in decoded:
                raise AssertionError(f"{self._what}: the page token reveals {text!r}")

    def _list(
        self,
        *,
        page_size: int,
        page_token: str = "",
        request: Message | None = None,
        metadata: tuple[tuple[str, str], ...] | None = None,
    ) -> Awaitable[Message]:
        sent = copied(self._case.request if request is None else request)
        sent.page_size = page_size  # type: ignore[attr-defined]
        sent.page_token = page_token  # type: ignore[attr-defined]
        return call(self._channel, self._method, sent, metadata or self._case.metadata)


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


def _tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
