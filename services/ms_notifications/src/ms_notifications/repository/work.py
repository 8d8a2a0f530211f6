"""What a use case works on inside one transaction: the inboxes, deliveries, preferences,
subscriptions, the projections and the events they cause, all on one session, so they commit
together.

RPCs open the transaction themselves (`knowledge_kit.database.UnitOfWork`); event handlers get
the consumer's, which also holds the inbox row of the event being applied.
"""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.message import Message
from knowledge.topics import NOTIFICATIONS_DELIVERIES_V1
from knowledge_kit.events import Outbox
from knowledge_kit.spaces import SpaceMemberships
from sqlalchemy.ext.asyncio import AsyncSession

from .changes import SqlChanges
from .deliveries import SqlDeliveries
from .directory import SqlDirectory
from .notifications import SqlNotifications
from .preferences import SqlPreferences
from .push_subscriptions import SqlPushSubscriptions


class NotificationWork:
    """The repositories on `session`, and the outbox in the same transaction."""

    def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
        self.session = session
        self.notifications = SqlNotifications(session)
        self.changes = SqlChanges(session)
        self.deliveries = SqlDeliveries(session)
        self.preferences = SqlPreferences(session)
        self.push = SqlPushSubscriptions(session)
        self.directory = SqlDirectory(session)
        self.memberships = SpaceMemberships(session)
        self._outbox = outbox

    async def record(self, event: Message, *, recipient: str) -> None:
        """Publish `event` on notifications.deliveries.v1, keyed by the recipient, if the
        transaction commits."""
        await self._outbox.record(
            self.session, NOTIFICATIONS_DELIVERIES_V1, event, subject=recipient
        )

    async def record_many(self, events: Sequence[tuple[Message, str]]) -> None:
        """Publish each (event, recipient) on notifications.deliveries.v1, in one statement."""
        await self._outbox.record_many(self.session, NOTIFICATIONS_DELIVERIES_V1, events)
