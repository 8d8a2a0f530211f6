"""How a channel says a message did not get through, and whether trying again can help."""

from __future__ import annotations


class DeliveryFailed(Exception):
    """A message was not delivered. `permanent`: retrying the same message cannot succeed (the
    mailbox does not exist, the push service refused the payload); otherwise it may later (the
    server is down, busy or timed out)."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class SubscriptionGone(DeliveryFailed):
    """The push service no longer knows the subscription (404 or 410): it is to be removed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


class ServerUnavailable(DeliveryFailed):
    """The server could not take any mail just now (unreachable, timed out, 421, refusing our
    credentials): not this message's fault, so it waits for the server without using up its
    attempts."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=False)
