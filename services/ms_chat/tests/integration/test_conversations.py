"""A user's conversations: created, listed a page at a time (archived ones apart, most recently
changed first), renamed and archived with etags, deleted with their messages; another user's
are not found, and bad values are refused naming their field."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

from ms_chat.domain.conversations import ConversationChanges
from ms_chat.main import ChatParts

from ..support import ADA, BOB


async def test_conversations_are_listed_a_page_at_a_time_newest_change_first(
    chat: ChatParts,
) -> None:
    created = [await chat.conversations.create(ADA, ADA, f"Talk {n}", ()) for n in range(5)]
    await chat.conversations.create(BOB, BOB, "Bob's", ())
    await chat.conversations.update(
        ADA, created[0].name, ConversationChanges(frozenset({"title"}), title="Renamed"), etag=""
    )

    names: list[str] = []
    token = ""
    while True:
        page = await chat.conversations.list(
            ADA, ADA, archived=False, page_size=2, page_token=token
        )
        names += [conversation.name for conversation in page.items]
        token = page.next_page_token
        if not token:
            break

    assert names == [created[0].name, *[c.name for c in reversed(created[1:])]]


async def test_archived_conversations_are_listed_apart(chat: ChatParts) -> None:
    kept = await chat.conversations.create(ADA, ADA, "Kept", ())
    old = await chat.conversations.create(ADA, ADA, "Old", ())

    archived = await chat.conversations.update(
        ADA, old.name, ConversationChanges(frozenset({"archived"}), archived=True), etag=old.etag
    )

    active = await chat.conversations.list(ADA, ADA, archived=False, page_size=0, page_token="")
    shelved = await chat.conversations.list(ADA, ADA, archived=True, page_size=0, page_token="")
    assert [c.name for c in active.items] == [kept.name]
    assert [c.name for c in shelved.items] == [old.name]
    assert archived.etag != old.etag


async def test_a_stale_etag_is_refused_and_bad_values_name_their_field(chat: ChatParts) -> None:
    conversation = await chat.conversations.create(ADA, ADA, "Plan", ("spaces/handbook",))
    await chat.conversations.update(
        ADA,
        conversation.name,
        ConversationChanges(frozenset({"title"}), title="Plan B"),
        etag=conversation.etag,
    )

    with pytest.raises(ConflictError):
        await chat.conversations.update(
            ADA,
            conversation.name,
            ConversationChanges(frozenset({"title"}), title="Plan C"),
            etag=conversation.etag,
        )
    refusals = {
        "conversation.title": ConversationChanges(frozenset({"title"}), title="x" * 201),
        "conversation.spaces[1]": ConversationChanges(
            frozenset({"spaces"}), spaces=("spaces/a", "handbook")
        ),
        "conversation.current_message": ConversationChanges(
            frozenset({"current_message"}),
            current_message=f"{conversation.name}/messages/{'0' * 32}",
        ),
    }
    for field, changes in refusals.items():
        with pytest.raises(ValidationError) as refused:
            await chat.conversations.update(ADA, conversation.name, changes, etag="")
        assert [violation.field for violation in refused.value.violations] == [field]


async def test_another_users_conversations_are_out_of_reach(chat: ChatParts) -> None:
    bobs = await chat.conversations.create(BOB, BOB, "Bob's plans", ())

    with pytest.raises(NotFoundError):
        await chat.conversations.get(ADA, bobs.name)
    with pytest.raises(NotFoundError):
        await chat.conversations.delete(ADA, bobs.name)
    with pytest.raises(NotFoundError):
        await chat.conversations.messages(
            ADA, bobs.name, all_branches=True, page_size=0, page_token=""
        )
    with pytest.raises(NotFoundError):
        await chat.conversations.update(
            ADA, bobs.name, ConversationChanges(frozenset({"title"}), title="Mine"), etag=""
        )
    with pytest.raises(PermissionDeniedError):
        await chat.conversations.list(ADA, BOB, archived=False, page_size=0, page_token="")
    with pytest.raises(PermissionDeniedError):
        await chat.conversations.create(ADA, BOB, "Bob's now", ())
    assert (await chat.conversations.get(BOB, bobs.name)).title == "Bob's plans"


async def test_a_deleted_conversation_is_gone(chat: ChatParts) -> None:
    conversation = await chat.conversations.create(ADA, ADA, "Short-lived", ())

    await chat.conversations.delete(ADA, conversation.name)

    with pytest.raises(NotFoundError):
        await chat.conversations.get(ADA, conversation.name)
    listed = await chat.conversations.list(ADA, ADA, archived=False, page_size=0, page_token="")
    assert listed.items == []
