"""Conversations and their messages: create, read, list (a page at a time), update, delete."""

from __future__ import annotations

from datetime import datetime

from knowledge.chat.v1 import events_pb2 as events
from knowledge_kit.api import (
    Clock,
    Page,
    PageRequest,
    PageTokens,
    check_etag,
    new_etag,
    new_resource_id,
    utc_now,
)
from knowledge_kit.api.pages import invalid_page_token
from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import ConflictError, FieldViolation, ValidationError
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.branches import branch_ending_at
from ..domain.conversations import (
    Conversation,
    ConversationChanges,
    checked_spaces,
    checked_title,
)
from ..domain.messages import Message
from ..domain.names import MESSAGE, conversation_of
from ..repository.work import ChatWork
from .access import own_conversation, own_parent


class Conversations:
    """What a user can do with their conversations, each in its own transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        pages: PageTokens,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._pages = pages
        self._clock = clock

    async def create(
        self, caller: str, parent: str, title: str, spaces: tuple[str, ...]
    ) -> Conversation:
        own_parent(caller, parent)
        now = self._clock()
        conversation = Conversation(
            name=f"{parent}/conversations/{new_resource_id()}",
            owner=parent,
            title=checked_title(title, "conversation.title"),
            spaces=checked_spaces(spaces, "conversation.spaces"),
            archived=False,
            etag=new_etag(),
            current_message="",
            create_time=now,
            update_time=now,
        )
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session, self._outbox)
            await work.conversations.add(conversation)
            await work.record(created_event(conversation), conversation=conversation.name)
            await uow.commit()
        return conversation

    async def get(self, caller: str, name: str) -> Conversation:
        async with UnitOfWork(self._sessions) as uow:
            return await own_conversation(ChatWork(uow.session, self._outbox), caller, name, "name")

    async def list(
        self, caller: str, parent: str, *, archived: bool, page_size: int, page_token: str
    ) -> Page[Conversation]:
        """Most recently updated first; the token resumes after the last one sent."""
        own_parent(caller, parent)
        request = self._pages.request(
            page_size, page_token, listing=(parent, "archived" if archived else "")
        )
        async with UnitOfWork(self._sessions) as uow:
            fetched = await ChatWork(uow.session, self._outbox).conversations.list_for(
                parent, archived=archived, after=_position(request), limit=request.fetch_limit
            )
        return request.page(fetched, lambda last: [last.update_time.isoformat(), last.name])

    async def update(
        self, caller: str, name: str, changes: ConversationChanges, *, etag: str
    ) -> Conversation:
        """The conversation with the masked fields changed; ABORTED for a stale `etag`."""
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session, self._outbox)
            conversation = await own_conversation(work, caller, name, "conversation.name")
            check_etag(
                etag, conversation.etag, resource=name, field="conversation.etag", required=False
            )
            if "current_message" in changes.paths:
                await _check_current(work, name, changes.current_message)
            updated = conversation.changed(changes, self._clock())
            if not await work.conversations.replace(updated, expected_etag=conversation.etag):
                raise ConflictError(f"{name} changed while it was being updated")
            await uow.commit()
        return updated

    async def delete(self, caller: str, name: str) -> None:
        """The conversation and its messages are gone (answers being produced end with it)."""
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session, self._outbox)
            conversation = await own_conversation(work, caller, name, "name")
            await work.conversations.delete(name)
            await work.record(
                events.ConversationDeleted(conversation=name, user=conversation.owner),
                conversation=name,
            )
            await uow.commit()

    async def messages(
        self, caller: str, parent: str, *, all_branches: bool, page_size: int, page_token: str
    ) -> Page[Message]:
        """Oldest first: the branch ending at the conversation's current message, or every
        message of every branch. Citations of spaces the caller can no longer read are
        unavailable."""
        request = self._pages.request(
            page_size, page_token, listing=(parent, "all" if all_branches else "")
        )
        offset, limit = request.offset, request.fetch_limit
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session, self._outbox)
            conversation = await own_conversation(work, caller, parent, "parent")
            readable = await work.memberships.readable_spaces(caller)
            if all_branches:
                fetched = await work.messages.in_conversation(parent, offset=offset, limit=limit)
            else:
                parents = await work.messages.parents(parent)
                names = branch_ending_at(conversation.current_message, parents)
                window = names[offset : offset + limit]
                found = await work.messages.get_many(window)
                fetched = [found[name] for name in window if name in found]
        return request.page_at_offset([message.seen_by(readable) for message in fetched])


async def _check_current(work: ChatWork, conversation: str, message: str) -> None:
    field = "conversation.current_message"
    if not message:
        return
    MESSAGE.check(message, field)
    if conversation_of(message) != conversation or await work.messages.get(message) is None:
        raise ValidationError(
            f"{field} {message!r} is not a message of {conversation}",
            [FieldViolation(field, "must name a message of the conversation")],
        )


def _position(request: PageRequest) -> tuple[datetime, str] | None:
    match request.after:
        case None:
            return None
        case [str(time), str(name)]:
            try:
                return datetime.fromisoformat(time), name
            except ValueError:
                pass
    raise invalid_page_token()


def created_event(conversation: Conversation) -> events.ConversationCreated:
    return events.ConversationCreated(
        conversation=conversation.name,
        user=conversation.owner,
        title=conversation.title,
        spaces=list(conversation.spaces),
    )
