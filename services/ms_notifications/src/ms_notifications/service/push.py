"""Web Push subscriptions of a user's browsers and devices, and the key browsers subscribe with."""

from __future__ import annotations

from knowledge_kit.api import Clock, Page, PageTokens, utc_now
from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import DomainError, FieldViolation, NotFoundError, ValidationError
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..adapters.web_push import validate_subscription
from ..domain.names import PUSH_SUBSCRIPTION
from ..domain.push import PushSubscription
from ..repository.work import NotificationWork
from .access import own_parent

MAX_LABEL_CHARS = 200


class PushUseCases:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        pages: PageTokens,
        vapid_public_key: str,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._pages = pages
        self._vapid_public_key = vapid_public_key
        self._clock = clock

    def configuration(self) -> str:
        """The VAPID public key; FAILED_PRECONDITION when this deployment has no push."""
        if not self._vapid_public_key:
            raise DomainError("Web Push is not configured on this deployment")
        return self._vapid_public_key

    async def register(
        self,
        caller: str,
        parent: str,
        endpoint: str,
        p256dh: str,
        auth: str,
        device_label: str,
    ) -> PushSubscription:
        own_parent(caller, parent)
        validate_subscription(endpoint, p256dh, auth)
        if len(device_label) > MAX_LABEL_CHARS:
            raise ValidationError(
                "device_label is too long",
                [
                    FieldViolation(
                        "subscription.device_label", f"must be at most {MAX_LABEL_CHARS} characters"
                    )
                ],
            )
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            registered = await work.push.register(
                parent, endpoint, p256dh, auth, device_label, self._clock()
            )
            await uow.commit()
        return registered

    async def list_subscriptions(
        self, caller: str, parent: str, page_size: int, page_token: str
    ) -> Page[PushSubscription]:
        own_parent(caller, parent)
        request = self._pages.request(page_size, page_token, listing=(parent,))
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            fetched = await work.push.page(parent, request.offset, request.fetch_limit)
        return request.page_at_offset(fetched)

    async def delete(self, caller: str, name: str) -> None:
        ids = PUSH_SUBSCRIPTION.parse(name, "name")
        user = f"users/{ids['user']}"
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            if user != caller or not await work.push.delete(user, ids["subscription"]):
                raise NotFoundError(f"{name} does not exist")
            await uow.commit()
