"""Waking the outbox relay when a transaction that recorded events commits.

Without this the relay finds new events only by polling: a transaction every poll, and every
event late by up to the poll interval. With it, events leave right after their commit and the
relay polls rarely, as a safety net (events recorded by a process that died before publishing
them, or through sessions of another sessionmaker).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

_RELAYS = "knowledge_kit.outbox_relays"  # in the sessionmaker's info: who to wake
_RECORDED = "knowledge_kit.outbox_recorded"  # in a session's info: its transaction has events


def watch_commits(sessions: async_sessionmaker[AsyncSession]) -> asyncio.Event:
    """An event set each time a session of `sessions` commits after recording outbox events."""
    info: dict[Any, Any] = dict(sessions.kw.get("info") or {})
    relays = info.get(_RELAYS)
    if relays is None:
        relays = info[_RELAYS] = weakref.WeakSet()
        sessions.configure(info=info)
    committed = asyncio.Event()
    relays.add(committed)
    return committed


def mark_recorded(session: AsyncSession) -> None:
    """The session's transaction holds outbox events: wake the relays when it commits."""
    session.info[_RECORDED] = True


@event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.info.pop(_RECORDED, False):
        for committed in list(session.info.get(_RELAYS, ())):
            committed.set()


@event.listens_for(Session, "after_rollback")
def _forget_recorded(session: Session) -> None:
    session.info.pop(_RECORDED, None)
