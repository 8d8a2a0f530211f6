"""Whose conversation is it? Every resource of the service belongs to one user, and only that
user reaches it: another user's conversation is NOT_FOUND, as one that does not exist."""

from __future__ import annotations

from knowledge_kit.errors import NotFoundError, PermissionDeniedError

from ..domain.conversations import Conversation
from ..domain.messages import Message
from ..domain.names import CONVERSATION, MESSAGE, USER, conversation_of, owner_of
from ..repository.work import ChatWork


def own_parent(caller: str, parent: str, field: str = "parent") -> str:
    """`parent` (users/{user}) when it is the caller; PERMISSION_DENIED for another user's."""
    USER.check(parent, field)
    if parent != caller:
        raise PermissionDeniedError(f"only {parent} may list or start their conversations")
    return parent


async def own_conversation(work: ChatWork, caller: str, name: str, field: str) -> Conversation:
    """The caller's conversation `name`; NOT_FOUND for another user's or a missing one."""
    CONVERSATION.check(name, field)
    conversation = await work.conversations.get(name) if owner_of(name) == caller else None
    if conversation is None:
        raise NotFoundError(f"{name} does not exist")
    return conversation


async def own_message(work: ChatWork, caller: str, name: str, field: str) -> Message:
    """The caller's message `name`; NOT_FOUND for another user's or a missing one."""
    MESSAGE.check(name, field)
    message = await work.messages.get(name) if owner_of(name) == caller else None
    if message is None or message.conversation != conversation_of(name):
        raise NotFoundError(f"{name} does not exist")
    return message


async def own_answer(work: ChatWork, caller: str, name: str, field: str) -> Message:
    """The caller's assistant message `name`; a question is NOT_FOUND as an answer."""
    message = await own_message(work, caller, name, field)
    if not message.is_answer:
        raise NotFoundError(f"{name} is a question, not an answer")
    return message
