"""What a service's tests give the contract suite: a seed recipe per List and Update RPC."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from google.protobuf.message import Message

from knowledge_kit.testing.served_methods import Metadata


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
