"""Browsers and devices registered for Web Push."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .names import push_subscription_name


@dataclass(frozen=True, slots=True)
class PushSubscription:
    id: str
    user: str
    endpoint: str
    p256dh: str
    auth: str
    device_label: str
    create_time: datetime

    @property
    def name(self) -> str:
        return push_subscription_name(self.user, self.id)
