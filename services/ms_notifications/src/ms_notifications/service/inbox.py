"""A user's inbox: listing, counts, and the seen / read / archived / snoozed state, each change
numbered in the user's stream and woken in every open stream once committed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import IntEnum

from knowledge_kit.api import Clock, Page, PageTokens, utc_now
from knowledge_kit.database import UnitOfWork, after_commit
from knowledge_kit.errors import FieldViolation, NotFoundError, ValidationError
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.names import NOTIFICATION, notification_name
from ..domain.notifications import ChangeKind, Counts, Delivery, Notification
from ..repository.notifications import InboxFilter
from ..repository.work import NotificationWork
from .access import own_notification, own_parent
from .live import LiveChanges

MAX_BATCH = 100
MAX_SNOOZE = timedelta(days=30)


class Action(IntEnum):
    """knowledge.notifications.v1.NotificationAction."""

    MARK_SEEN = 1
    MARK_READ = 2
    MARK_UNREAD = 3
    ARCHIVE = 4
    UNARCHIVE = 5
    SNOOZE = 6


@dataclass(frozen=True, slots=True)
class InboxPage:
    page: Page[Notification]
    unread: int


class Inbox:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        live: LiveChanges,
        pages: PageTokens,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._live = live
        self._pages = pages
        self._clock = clock

    async def list_notifications(
        self, caller: str, parent: str, shown: InboxFilter, page_size: int, page_token: str
    ) -> InboxPage:
        own_parent(caller, parent)
        listing = (
            parent,
            str(int(shown.unread_only)),
            ",".join(str(int(c)) for c in sorted(shown.categories)),
            str(int(shown.archived)),
        )
        request = self._pages.request(page_size, page_token, listing=listing)
        after = _position(request.after)
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            fetched = await work.notifications.page(parent, shown, now, after, request.fetch_limit)
            counts = await work.notifications.counts(parent, now)
        page = request.page(fetched, lambda one: [one.activity_time.isoformat(), one.id])
        return InboxPage(page, counts.unread)

    async def counts(self, caller: str, parent: str) -> Counts:
        own_parent(caller, parent)
        async with UnitOfWork(self._sessions) as uow:
            return await NotificationWork(uow.session, self._outbox).notifications.counts(
                parent, self._clock()
            )

    async def mark_read(self, caller: str, name: str) -> Notification:
        notification_id = own_notification(caller, name)
        changed, _ = await self._apply(caller, [notification_id], Action.MARK_READ, None)
        return changed[0]

    async def mark_all_read(self, caller: str, parent: str) -> int:
        own_parent(caller, parent)
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            unread = await work.notifications.unread(parent)
            changed = [_acted(one, Action.MARK_READ, None, now) for one in unread]
            await self._save(work, parent, changed, now)
            await uow.commit()
        return len(changed)

    async def batch_update(
        self,
        caller: str,
        parent: str,
        names: Sequence[str],
        action: int,
        snooze_until: datetime | None,
    ) -> tuple[list[Notification], Counts]:
        own_parent(caller, parent)
        if not 1 <= len(names) <= MAX_BATCH:
            raise ValidationError(
                f"names holds {len(names)} notifications",
                [FieldViolation("names", f"must name 1 to {MAX_BATCH} notifications")],
            )
        ids = [_id_in(parent, name, f"names[{index}]") for index, name in enumerate(names)]
        try:
            chosen = Action(action)
        except ValueError:
            raise ValidationError(
                f"action {action} is not a NotificationAction",
                [FieldViolation("action", "must be one of the NotificationAction values")],
            ) from None
        if chosen is Action.SNOOZE:
            _check_snooze(snooze_until, self._clock())
        return await self._apply(caller, ids, chosen, snooze_until)

    async def deliveries(
        self, caller: str, parent: str, page_size: int, page_token: str
    ) -> Page[Delivery]:
        notification_id = own_notification(caller, parent, "parent")
        request = self._pages.request(page_size, page_token, listing=(parent,))
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            if await work.notifications.get(caller, notification_id) is None:
                raise NotFoundError(f"{parent} does not exist")
            fetched = await work.deliveries.of_notification(
                caller, notification_id, request.offset, request.fetch_limit
            )
        return request.page_at_offset(fetched)

    async def _apply(
        self, user: str, ids: Sequence[str], action: Action, snooze_until: datetime | None
    ) -> tuple[list[Notification], Counts]:
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            found = await work.notifications.get_many(user, ids)
            missing = [one for one in ids if one not in found]
            if missing:
                raise NotFoundError(f"{notification_name(user, missing[0])} does not exist")
            result = [_acted(found[one], action, snooze_until, now) for one in dict.fromkeys(ids)]
            changed = [one for one in result if one != found[one.id]]
            await self._save(work, user, changed, now)
            counts = await work.notifications.counts(user, now)
            await uow.commit()
        return result, counts

    async def _save(
        self, work: NotificationWork, user: str, changed: list[Notification], now: datetime
    ) -> None:
        for one in changed:
            await work.notifications.replace(one)
        await work.changes.record([(user, one.id, ChangeKind.UPDATED) for one in changed], now)
        if changed:
            after_commit(work.session, lambda: self._live.changed([user]))


def _acted(
    one: Notification, action: Action, snooze_until: datetime | None, now: datetime
) -> Notification:
    """`one` after `action`; unchanged (the same value) when it already was so."""
    match action:
        case Action.MARK_SEEN:
            changed = replace(one, seen_time=one.seen_time or now)
        case Action.MARK_READ:
            changed = replace(one, read_time=one.read_time or now, seen_time=one.seen_time or now)
        case Action.MARK_UNREAD:
            changed = replace(one, read_time=None)
        case Action.ARCHIVE:
            changed = replace(one, archive_time=one.archive_time or now)
        case Action.UNARCHIVE:
            changed = replace(one, archive_time=None)
        case Action.SNOOZE:
            changed = replace(one, snooze_until=snooze_until, read_time=None)
    return changed if changed == one else replace(changed, update_time=now)


def _id_in(parent: str, name: str, field: str) -> str:
    ids = NOTIFICATION.parse(name, field)
    if f"users/{ids['user']}" != parent:
        raise NotFoundError(f"{name} does not exist")
    return ids["notification"]


def _check_snooze(until: datetime | None, now: datetime) -> None:
    if until is None or not now < until <= now + MAX_SNOOZE:
        raise ValidationError(
            "snooze_until must be in the future, within 30 days",
            [FieldViolation("snooze_until", "must be a future time within 30 days")],
        )


def _position(after: list[str | int] | None) -> tuple[datetime, str] | None:
    if after is None:
        return None
    match after:
        case [str(moment), str(last_id)]:
            try:
                return datetime.fromisoformat(moment), last_id
            except ValueError:
                pass
    raise ValidationError(
        "page_token is not one this listing returned",
        [FieldViolation("page_token", "must be the next_page_token of the same request")],
    )
